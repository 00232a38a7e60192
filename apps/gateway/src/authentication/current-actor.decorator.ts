import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { type Actor, actorSchema, DomainError } from '@blockplane/contracts';

/** The caller the access guard authenticated (`req.user`), API key included. */
export function actorOf(req: Request): Actor {
  const actor = actorSchema.safeParse(req.user);
  if (!actor.success) throw new DomainError('UNAUTHENTICATED', 'a valid access token or API key is required');
  return actor.data;
}

/** The caller, as passed to every RPC. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor =>
  actorOf(context.switchToHttp().getRequest<Request>()),
);
