import { Injectable } from '@nestjs/common';
import type { RpcPayload, User } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { UsersService } from './users.service.js';

@Injectable()
export class UsersRpc {
  constructor(private readonly users: UsersService) {}

  @OnRpc('auth.register')
  async register(request: RpcPayload<'auth.register'>): Promise<User> {
    return this.users.register(request);
  }

  @OnRpc('auth.me')
  async me(request: RpcPayload<'auth.me'>): Promise<User> {
    return this.users.me(request.actor);
  }

  @OnRpc('auth.set-quota')
  async setQuota({ actor, userId, quota }: RpcPayload<'auth.set-quota'>): Promise<User> {
    return this.users.setQuota(actor, userId, quota);
  }
}
