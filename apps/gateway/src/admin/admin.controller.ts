import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  type ActivityPage,
  type Actor,
  type AdminActivityQuery,
  adminActivityQuerySchema,
  type AdminServerPage,
  type AdminServersQuery,
  adminServersQuerySchema,
  type AdminUser,
  type AdminUserPage,
  type AdminUsersQuery,
  adminUsersQuerySchema,
  type Quota,
  quotaSchema,
  type SuspendUserRequest,
  suspendUserRequestSchema,
  type UpdateUserRequest,
  updateUserRequestSchema,
  type User,
} from '@blockplane/contracts';
import { AdminOnly } from '../access/access-rule.js';
import { RecordActivity } from '../activity/record-activity.decorator.js';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { AdminGatewayService } from './admin-gateway.service.js';

const userId = new UuidParamPipe('user');
/** Every admin action is about the account in the path. */
const aboutUser = ({ params }: { params: Record<string, string | undefined> }) => ({ subjectUserId: params['id'] });

@Controller('api/v1/admin')
export class AdminController {
  constructor(private readonly admin: AdminGatewayService) {}

  @AdminOnly()
  @Get('users')
  users(
    @CurrentActor() actor: Actor,
    @Query(new ZodBodyPipe(adminUsersQuerySchema, 'query')) query: AdminUsersQuery,
  ): Promise<AdminUserPage> {
    return this.admin.users(actor, query);
  }

  @AdminOnly()
  @Get('users/:id')
  user(@CurrentActor() actor: Actor, @Param('id', userId) id: string): Promise<AdminUser> {
    return this.admin.user(actor, id);
  }

  @AdminOnly()
  @RecordActivity<AdminUser>('admin.user.update', (call) => ({
    ...aboutUser(call),
    details: { role: call.answer.role },
  }))
  @Patch('users/:id')
  updateUser(
    @CurrentActor() actor: Actor,
    @Param('id', userId) id: string,
    @Body(new ZodBodyPipe(updateUserRequestSchema)) body: UpdateUserRequest,
  ): Promise<AdminUser> {
    return this.admin.updateUser(actor, id, body);
  }

  @AdminOnly()
  @RecordActivity<User>('admin.user.quota', (call) => ({ ...aboutUser(call), details: { quota: call.answer.quota } }))
  @Put('users/:id/quota')
  setQuota(
    @CurrentActor() actor: Actor,
    @Param('id', userId) id: string,
    @Body(new ZodBodyPipe(quotaSchema)) quota: Quota,
  ): Promise<User> {
    return this.admin.setQuota(actor, id, quota);
  }

  @AdminOnly()
  @RecordActivity<AdminUser>('admin.user.suspend', (call) => ({
    ...aboutUser(call),
    details: { reason: call.answer.suspendedReason },
  }))
  @Post('users/:id/suspend')
  @HttpCode(200)
  suspend(
    @CurrentActor() actor: Actor,
    @Param('id', userId) id: string,
    @Body(new ZodBodyPipe(suspendUserRequestSchema)) body: SuspendUserRequest,
  ): Promise<AdminUser> {
    return this.admin.suspend(actor, id, body);
  }

  @AdminOnly()
  @RecordActivity('admin.user.unsuspend', aboutUser)
  @Delete('users/:id/suspend')
  unsuspend(@CurrentActor() actor: Actor, @Param('id', userId) id: string): Promise<AdminUser> {
    return this.admin.unsuspend(actor, id);
  }

  @AdminOnly()
  @Get('servers')
  servers(
    @CurrentActor() actor: Actor,
    @Query(new ZodBodyPipe(adminServersQuerySchema, 'query')) query: AdminServersQuery,
  ): Promise<AdminServerPage> {
    return this.admin.servers(actor, query);
  }

  @AdminOnly()
  @Get('activity')
  activity(
    @CurrentActor() actor: Actor,
    @Query(new ZodBodyPipe(adminActivityQuerySchema, 'query')) query: AdminActivityQuery,
  ): Promise<ActivityPage> {
    return this.admin.activity(actor, query);
  }
}
