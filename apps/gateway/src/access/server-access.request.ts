import type { Request } from 'express';
import type { ServerAccess } from '@blockplane/contracts';

/** The caller's rights on the route's server, as the guard resolved them, kept for the rest of the request. */
const resolved = new WeakMap<Request, ServerAccess>();

export function rememberServerAccess(req: Request, access: ServerAccess): void {
  resolved.set(req, access);
}

export function serverAccessOf(req: Request): ServerAccess | undefined {
  return resolved.get(req);
}
