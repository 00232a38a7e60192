import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  type ActivityPage,
  type Actor,
  type CreateServerRequest,
  createServerRequestSchema,
  type Dashboard,
  type DashboardPage,
  dashboardQuerySchema,
  type PageQuery,
  pageQuerySchema,
  type Plan,
  type PowerRequest,
  powerRequestSchema,
  type Server,
  type ServerTypeInfo,
  type Usage,
} from '@blockplane/contracts';
import { Public } from '@blockplane/service';
import { permissionByField, ServerAccess, SignedIn } from '../access/access-rule.js';
import { RecordActivity } from '../activity/record-activity.decorator.js';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ServersGatewayService } from './servers-gateway.service.js';

const serverId = new UuidParamPipe('server');

/** Kill is a hard stop: the same right as stop. The console socket's `power` event needs the same. */
export const powerPermission = permissionByField(powerRequestSchema, 'action', {
  start: 'control.start',
  stop: 'control.stop',
  kill: 'control.stop',
  restart: 'control.restart',
});

/** Commands are accepted, not done: 202 with the server as it stands; its status follows the provisioner. */
@Controller('api/v1')
export class ServersController {
  constructor(private readonly servers: ServersGatewayService) {}

  @Public()
  @Get('plans')
  plans(): Promise<Plan[]> {
    return this.servers.plans();
  }

  @Public()
  @Get('server-types')
  types(): Promise<ServerTypeInfo[]> {
    return this.servers.types();
  }

  @SignedIn()
  @RecordActivity<Server>('server.create', ({ answer }) => ({
    serverId: answer.id,
    details: { name: answer.name, type: answer.type, version: answer.version, plan: answer.plan },
  }))
  @Post('servers')
  @HttpCode(202)
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(createServerRequestSchema)) body: CreateServerRequest,
  ): Promise<Server> {
    return this.servers.create(actor, body);
  }

  /** The servers the caller owns or is a sub-user of, with their rights on each. */
  @SignedIn()
  @Get('servers')
  dashboard(
    @CurrentActor() actor: Actor,
    @Query(new ZodBodyPipe(dashboardQuerySchema, 'query')) page: DashboardPage,
  ): Promise<Dashboard> {
    return this.servers.dashboard(actor, page);
  }

  @ServerAccess('any')
  @Get('servers/:id')
  get(@CurrentActor() actor: Actor, @Param('id', serverId) id: string): Promise<Server> {
    return this.servers.get(actor, id);
  }

  @ServerAccess(powerPermission)
  @RecordActivity('server.power', ({ body }) => ({ details: { action: powerRequestSchema.parse(body).action } }))
  @Post('servers/:id/power')
  @HttpCode(202)
  power(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(powerRequestSchema)) body: PowerRequest,
  ): Promise<Server> {
    return this.servers.power(actor, id, body);
  }

  @ServerAccess('owner')
  @RecordActivity('server.delete')
  @Delete('servers/:id')
  @HttpCode(202)
  delete(@CurrentActor() actor: Actor, @Param('id', serverId) id: string): Promise<Server> {
    return this.servers.delete(actor, id);
  }

  @SignedIn()
  @Get('me/usage')
  usage(@CurrentActor() actor: Actor): Promise<Usage> {
    return this.servers.usage(actor);
  }

  /** Newest first. */
  @ServerAccess('activity.read')
  @Get('servers/:id/activity')
  activity(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Query(new ZodBodyPipe(pageQuerySchema, 'query')) page: PageQuery,
  ): Promise<ActivityPage> {
    return this.servers.activity(actor, id, page);
  }
}
