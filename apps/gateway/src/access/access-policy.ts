import { type Actor, DomainError, type Permission, permissions, type ServerAccess } from '@blockplane/contracts';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import type { ServerNeed } from './access-rule.js';

/** What one request needs on a server, once a request-dependent need is resolved. */
export type ResolvedNeed = 'any' | 'owner' | Permission;

export function refuseApiKey(actor: Actor): void {
  if (actor.apiKey) throw new DomainError('FORBIDDEN', 'API keys cannot be used here');
}

export function requireAdmin(actor: Actor): void {
  refuseApiKey(actor);
  if (actor.role !== 'admin') throw new DomainError('FORBIDDEN', 'admins only');
}

/** A by-field need reads the body through its contract schema: an invalid body is the usual 400, never a guess. */
export function resolveNeed(need: ServerNeed, body: unknown): ResolvedNeed {
  if (typeof need === 'string') return need;
  const value = (new ZodBodyPipe(need.schema).transform(body) as Record<string, unknown>)[need.field];
  const permission = typeof value === 'string' ? need.permissions[value] : undefined;
  if (permission === undefined) throw new DomainError('INTERNAL', `no permission is declared for ${need.field}`);
  return permission;
}

/**
 * Checks the caller's rights on a server against a need. The servers service already narrows `access`
 * by an API key's permissions; the key is checked here too, so narrowing holds at the edge on its own.
 */
export function authorizeOnServer(need: ResolvedNeed, actor: Actor, access: ServerAccess): void {
  if (need === 'any') return;
  const keyHolds = (permission: Permission) => actor.apiKey?.permissions.includes(permission) ?? true;
  if (need === 'owner') {
    if (access.kind === 'subuser') {
      throw new DomainError('FORBIDDEN', 'only the owner of the server or an admin may do this', {
        permission: 'owner',
      });
    }
    const lacking = permissions.find((permission) => !keyHolds(permission));
    if (lacking !== undefined) {
      throw new DomainError('FORBIDDEN', `an API key needs every permission for this; it lacks ${lacking}`, {
        permission: lacking,
      });
    }
    return;
  }
  if (!access.permissions.includes(need) || !keyHolds(need)) {
    throw new DomainError('FORBIDDEN', `missing permission ${need}`, { permission: need });
  }
}
