import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Response } from 'express';
import { type Actor, DomainError } from '@blockplane/contracts';
import { IS_PUBLIC } from '@blockplane/service';

/** Every route needs a valid access token unless it is marked `@Public()`. */
@Injectable()
export class BearerAuthGuard extends AuthGuard('bearer') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic === true || (super.canActivate(context) as Promise<boolean>);
  }

  /** passport-http-bearer's challenge (RFC 6750) says whether a token was missing or invalid. */
  override handleRequest<TUser = Actor>(
    error: unknown,
    actor: TUser | false,
    challenge: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error) throw error;
    if (actor) return actor;
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('WWW-Authenticate', typeof challenge === 'string' ? challenge : 'Bearer');
    throw new DomainError('UNAUTHENTICATED', 'a valid access token is required');
  }
}
