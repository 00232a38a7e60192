import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import {
  type Actor,
  DomainError,
  type LoginRequest,
  type passwordResetConfirmSchema,
  type passwordResetRequestSchema,
  type RefreshRequest,
  type RegisterRequest,
  type RegistrationAccepted,
  type User,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';
import { OriginPolicy } from '../http/origin-policy.js';
import { sourceOf } from '../http/source-address.js';
import { clearRefreshCookie, deliverSession, presentedRefreshToken, type SessionAnswer } from './refresh-cookie.js';

export type PasswordResetRequest = z.output<typeof passwordResetRequestSchema>;
export type PasswordResetConfirm = z.output<typeof passwordResetConfirmSchema>;

/** Carries account requests to auth with the caller's address (auth rate-limits by it) and moves the refresh token between HTTP and RPC. */
@Injectable()
export class AccountsGatewayService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly origins: OriginPolicy,
  ) {}

  register(body: RegisterRequest, req: Request): Promise<RegistrationAccepted> {
    return this.rpc.request('auth.register', { ...body, source: sourceOf(req) });
  }

  async login(body: LoginRequest, req: Request, res: Response): Promise<SessionAnswer> {
    const session = await this.rpc.request('auth.login', { ...body, source: sourceOf(req) });
    return deliverSession(session, req, res);
  }

  async refresh(body: RefreshRequest, req: Request, res: Response): Promise<SessionAnswer> {
    const refreshToken = presentedRefreshToken(req, body.refreshToken, this.origins);
    if (refreshToken === undefined) throw new DomainError('UNAUTHENTICATED', 'a refresh token is required');
    const session = await this.rpc.request('auth.refresh', { refreshToken, source: sourceOf(req) });
    return deliverSession(session, req, res);
  }

  /** Logging out twice, or without a token, leaves the caller logged out: nothing to refuse. */
  async logout(body: RefreshRequest, req: Request, res: Response): Promise<void> {
    const refreshToken = presentedRefreshToken(req, body.refreshToken, this.origins);
    if (refreshToken !== undefined) await this.rpc.request('auth.logout', { refreshToken });
    clearRefreshCookie(res);
  }

  async requestPasswordReset(body: PasswordResetRequest, req: Request): Promise<void> {
    await this.rpc.request('auth.password-reset.request', { ...body, source: sourceOf(req) });
  }

  async confirmPasswordReset(body: PasswordResetConfirm, req: Request): Promise<void> {
    await this.rpc.request('auth.password-reset.confirm', { ...body, source: sourceOf(req) });
  }

  me(actor: Actor): Promise<User> {
    return this.rpc.request('auth.me', { actor });
  }
}
