import { Injectable } from '@nestjs/common';
import type { AdminUser, AdminUserPage, RpcPayload, User } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { AdminUsersService } from './admin-users.service.js';

@Injectable()
export class AdminRpc {
  constructor(private readonly admin: AdminUsersService) {}

  @OnRpc('auth.admin.users')
  async users({ actor, ...query }: RpcPayload<'auth.admin.users'>): Promise<AdminUserPage> {
    return this.admin.list(actor, query);
  }

  @OnRpc('auth.admin.user')
  async user({ actor, userId }: RpcPayload<'auth.admin.user'>): Promise<AdminUser> {
    return this.admin.get(actor, userId);
  }

  @OnRpc('auth.set-quota')
  async setQuota({ actor, userId, quota }: RpcPayload<'auth.set-quota'>): Promise<User> {
    return this.admin.setQuota(actor, userId, quota);
  }

  @OnRpc('auth.admin.update-user')
  async updateUser({ actor, userId, role }: RpcPayload<'auth.admin.update-user'>): Promise<AdminUser> {
    return this.admin.setRole(actor, userId, role);
  }

  @OnRpc('auth.admin.suspend')
  async suspend({ actor, userId, reason }: RpcPayload<'auth.admin.suspend'>): Promise<AdminUser> {
    return this.admin.suspend(actor, userId, reason);
  }

  @OnRpc('auth.admin.unsuspend')
  async unsuspend({ actor, userId }: RpcPayload<'auth.admin.unsuspend'>): Promise<AdminUser> {
    return this.admin.unsuspend(actor, userId);
  }
}
