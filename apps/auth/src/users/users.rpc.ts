import { Injectable } from '@nestjs/common';
import type { Principal, RegistrationAccepted, RpcPayload, User } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { UsersService } from './users.service.js';

@Injectable()
export class UsersRpc {
  constructor(private readonly users: UsersService) {}

  @OnRpc('auth.register')
  async register(request: RpcPayload<'auth.register'>): Promise<RegistrationAccepted> {
    return this.users.register(request);
  }

  @OnRpc('auth.me')
  async me(request: RpcPayload<'auth.me'>): Promise<User> {
    return this.users.me(request.actor);
  }

  @OnRpc('auth.principal')
  async principal(request: RpcPayload<'auth.principal'>): Promise<Principal> {
    return this.users.principal(request.userId);
  }
}
