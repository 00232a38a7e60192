import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { type Actor, actorSchema, DomainError } from '@blockplane/contracts';

/** The caller the guard authenticated, as passed to every RPC. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = actorSchema.safeParse(context.switchToHttp().getRequest<Request>().user);
  if (!actor.success) throw new DomainError('UNAUTHENTICATED', 'a valid access token is required');
  return actor.data;
});
