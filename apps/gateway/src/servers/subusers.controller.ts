import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  type Actor,
  type InviteSubuserRequest,
  inviteSubuserRequestSchema,
  type Subuser,
  type UpdateSubuserRequest,
  updateSubuserRequestSchema,
} from '@blockplane/contracts';
import { ServerAccess } from '../access/access-rule.js';
import { RecordActivity } from '../activity/record-activity.decorator.js';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { SubusersGatewayService } from './subusers-gateway.service.js';

const serverId = new UuidParamPipe('server');
const userId = new UuidParamPipe('sub-user');

@Controller('api/v1/servers/:id/subusers')
export class SubusersController {
  constructor(private readonly subusers: SubusersGatewayService) {}

  @ServerAccess('user.read')
  @Get()
  list(@CurrentActor() actor: Actor, @Param('id', serverId) id: string): Promise<Subuser[]> {
    return this.subusers.list(actor, id);
  }

  @ServerAccess('user.create')
  @RecordActivity<Subuser>('subuser.create', ({ answer }) => ({
    subjectUserId: answer.userId,
    details: { permissions: answer.permissions },
  }))
  @Post()
  invite(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(inviteSubuserRequestSchema)) body: InviteSubuserRequest,
  ): Promise<Subuser> {
    return this.subusers.invite(actor, id, body);
  }

  @ServerAccess('user.read')
  @Get(':userId')
  get(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Param('userId', userId) subject: string,
  ): Promise<Subuser> {
    return this.subusers.get(actor, id, subject);
  }

  @ServerAccess('user.update')
  @RecordActivity<Subuser>('subuser.update', ({ answer }) => ({
    subjectUserId: answer.userId,
    details: { permissions: answer.permissions },
  }))
  @Patch(':userId')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Param('userId', userId) subject: string,
    @Body(new ZodBodyPipe(updateSubuserRequestSchema)) body: UpdateSubuserRequest,
  ): Promise<Subuser> {
    return this.subusers.update(actor, id, subject, body);
  }

  @ServerAccess('user.delete')
  @RecordActivity('subuser.delete', ({ params }) => ({ subjectUserId: params['userId'] }))
  @Delete(':userId')
  @HttpCode(204)
  remove(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Param('userId', userId) subject: string,
  ): Promise<void> {
    return this.subusers.remove(actor, id, subject);
  }
}
