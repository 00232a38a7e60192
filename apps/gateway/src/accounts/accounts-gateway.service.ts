import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type Actor,
  DomainError,
  type LoginRequest,
  type Quota,
  type RefreshRequest,
  type RegisterRequest,
  type User,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';
import { clearRefreshCookie, deliverSession, presentedRefreshToken, type SessionAnswer } from './refresh-cookie.js';

/** The caller's address, as Express resolves it behind trusted proxies: auth rate-limits by it. */
const sourceOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Carries account requests to auth and moves the refresh token between HTTP and RPC. */
@Injectable()
export class AccountsGatewayService {
  constructor(private readonly rpc: RpcClient) {}

  register(body: RegisterRequest): Promise<User> {
    return this.rpc.request('auth.register', body);
  }

  async login(body: LoginRequest, req: Request, res: Response): Promise<SessionAnswer> {
    const session = await this.rpc.request('auth.login', { ...body, source: sourceOf(req) });
    return deliverSession(session, req, res);
  }

  async refresh(body: RefreshRequest, req: Request, res: Response): Promise<SessionAnswer> {
    const refreshToken = presentedRefreshToken(req, body.refreshToken);
    if (refreshToken === undefined) throw new DomainError('UNAUTHENTICATED', 'a refresh token is required');
    const session = await this.rpc.request('auth.refresh', { refreshToken, source: sourceOf(req) });
    return deliverSession(session, req, res);
  }

  /** Logging out twice, or without a token, leaves the caller logged out: nothing to refuse. */
  async logout(body: RefreshRequest, req: Request, res: Response): Promise<void> {
    const refreshToken = presentedRefreshToken(req, body.refreshToken);
    if (refreshToken !== undefined) await this.rpc.request('auth.logout', { refreshToken });
    clearRefreshCookie(res);
  }

  me(actor: Actor): Promise<User> {
    return this.rpc.request('auth.me', { actor });
  }

  setQuota(actor: Actor, userId: string, quota: Quota): Promise<User> {
    return this.rpc.request('auth.set-quota', { actor, userId, quota });
  }
}
