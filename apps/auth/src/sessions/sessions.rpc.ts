import { Injectable } from '@nestjs/common';
import type { RpcPayload, Session } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { SessionsService } from './sessions.service.js';

@Injectable()
export class SessionsRpc {
  constructor(private readonly sessions: SessionsService) {}

  @OnRpc('auth.login')
  async login(request: RpcPayload<'auth.login'>): Promise<Session> {
    return this.sessions.login(request);
  }

  @OnRpc('auth.refresh')
  async refresh(request: RpcPayload<'auth.refresh'>): Promise<Session> {
    return this.sessions.refresh(request);
  }

  @OnRpc('auth.logout')
  async logout(request: RpcPayload<'auth.logout'>): Promise<Record<string, never>> {
    await this.sessions.logout(request.refreshToken);
    return {};
  }
}
