import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { type Actor, DomainError } from '@blockplane/contracts';
import { actorOf } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { accessRuleOf } from './access-rule.js';
import { RuleCheck } from './rule-check.js';
import { rememberServerAccess } from './server-access.request.js';

const serverId = new UuidParamPipe('server');

/**
 * The one guard: reads the handler's declared rule, authenticates the caller through passport's `bearer`
 * strategy (the `Authorization` header only, never a cookie, body or query), then checks the rule, a server
 * rule on the route's `:id`.
 */
@Injectable()
export class AccessGuard extends AuthGuard('bearer') {
  constructor(private readonly rules: RuleCheck) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = accessRuleOf(context.getHandler(), context.getClass());
    if (rule.kind === 'public') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (!/^Bearer \S/i.test(req.headers.authorization ?? '')) throw unauthenticated(http.getResponse(), 'Bearer');
    await super.canActivate(context);
    const id = rule.kind === 'server' ? serverId.transform(String(req.params['id'])) : undefined;
    const access = await this.rules.check(rule, actorOf(req), { serverId: id, body: req.body });
    if (access) rememberServerAccess(req, access);
    return true;
  }

  /** passport-http-bearer's challenge (RFC 6750) says whether the credential was missing or invalid. */
  override handleRequest<TUser = Actor>(
    error: unknown,
    actor: TUser | false,
    challenge: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error) throw error;
    if (actor) return actor;
    throw unauthenticated(context.switchToHttp().getResponse(), typeof challenge === 'string' ? challenge : 'Bearer');
  }
}

function unauthenticated(res: Response, challenge: string): DomainError {
  res.setHeader('WWW-Authenticate', challenge);
  return new DomainError('UNAUTHENTICATED', 'a valid access token or API key is required');
}
