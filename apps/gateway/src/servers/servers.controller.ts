import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  type Actor,
  type CreateServerRequest,
  createServerRequestSchema,
  type Dashboard,
  type DashboardPage,
  dashboardQuerySchema,
  type Plan,
  type PowerRequest,
  powerRequestSchema,
  type Server,
  type ServerTypeInfo,
  type Usage,
} from '@blockplane/contracts';
import { Public } from '@blockplane/service';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ServersGatewayService } from './servers-gateway.service.js';

const serverId = new UuidParamPipe('server');

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

  @Post('servers')
  @HttpCode(202)
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(createServerRequestSchema)) body: CreateServerRequest,
  ): Promise<Server> {
    return this.servers.create(actor, body);
  }

  @Get('servers')
  dashboard(
    @CurrentActor() actor: Actor,
    @Query(new ZodBodyPipe(dashboardQuerySchema, 'query')) page: DashboardPage,
  ): Promise<Dashboard> {
    return this.servers.dashboard(actor, page);
  }

  @Get('servers/:id')
  get(@CurrentActor() actor: Actor, @Param('id', serverId) id: string): Promise<Server> {
    return this.servers.get(actor, id);
  }

  @Post('servers/:id/power')
  @HttpCode(202)
  power(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(powerRequestSchema)) body: PowerRequest,
  ): Promise<Server> {
    return this.servers.power(actor, id, body);
  }

  @Delete('servers/:id')
  @HttpCode(202)
  delete(@CurrentActor() actor: Actor, @Param('id', serverId) id: string): Promise<Server> {
    return this.servers.delete(actor, id);
  }

  @Get('me/usage')
  usage(@CurrentActor() actor: Actor): Promise<Usage> {
    return this.servers.usage(actor);
  }
}
