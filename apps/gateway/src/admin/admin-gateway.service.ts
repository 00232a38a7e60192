import { Injectable } from '@nestjs/common';
import type {
  ActivityPage,
  Actor,
  AdminActivityQuery,
  AdminServerPage,
  AdminServersQuery,
  AdminUser,
  AdminUserPage,
  AdminUsersQuery,
  Quota,
  SuspendUserRequest,
  UpdateUserRequest,
  User,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';

/** The admin API: accounts at auth, servers and the whole activity log at the servers service (both re-check the role). */
@Injectable()
export class AdminGatewayService {
  constructor(private readonly rpc: RpcClient) {}

  users(actor: Actor, query: AdminUsersQuery): Promise<AdminUserPage> {
    return this.rpc.request('auth.admin.users', { actor, ...query });
  }

  user(actor: Actor, userId: string): Promise<AdminUser> {
    return this.rpc.request('auth.admin.user', { actor, userId });
  }

  updateUser(actor: Actor, userId: string, body: UpdateUserRequest): Promise<AdminUser> {
    return this.rpc.request('auth.admin.update-user', { actor, userId, ...body });
  }

  setQuota(actor: Actor, userId: string, quota: Quota): Promise<User> {
    return this.rpc.request('auth.set-quota', { actor, userId, quota });
  }

  suspend(actor: Actor, userId: string, body: SuspendUserRequest): Promise<AdminUser> {
    return this.rpc.request('auth.admin.suspend', { actor, userId, ...body });
  }

  unsuspend(actor: Actor, userId: string): Promise<AdminUser> {
    return this.rpc.request('auth.admin.unsuspend', { actor, userId });
  }

  servers(actor: Actor, query: AdminServersQuery): Promise<AdminServerPage> {
    return this.rpc.request('servers.admin.list', { actor, ...query });
  }

  activity(actor: Actor, query: AdminActivityQuery): Promise<ActivityPage> {
    return this.rpc.request('servers.admin.activity', { actor, ...query });
  }
}
