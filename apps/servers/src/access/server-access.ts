import {
  type AccessKind,
  type Actor,
  DomainError,
  type Permission,
  permissions as allPermissions,
  type ServerAccess,
} from '@blockplane/contracts';

/** Admin rights come with a token only: a request made with an API key never acts as an admin. */
export function isAdmin(actor: Actor): boolean {
  return actor.role === 'admin' && actor.apiKey === undefined;
}

/** Every answer lists permissions sorted. */
export function sortedPermissions(list: Iterable<Permission>): Permission[] {
  return [...new Set(list)].sort();
}

/**
 * What the actor may do on a server of `ownerId` where they hold `shared` as a sub-user (null: they
 * are none): its owner and an admin everything, a sub-user theirs, each narrowed to the API key's
 * permissions when the request carries one. Undefined: no access at all.
 */
export function accessOf(
  actor: Actor,
  ownerId: string,
  shared: readonly Permission[] | null,
): { kind: AccessKind; permissions: Permission[] } | undefined {
  const granted = (kind: AccessKind, held: readonly Permission[]) => {
    const key = actor.apiKey?.permissions;
    return { kind, permissions: sortedPermissions(key ? held.filter((p) => key.includes(p)) : held) };
  };
  if (ownerId === actor.userId) return granted('owner', allPermissions);
  if (isAdmin(actor)) return granted('admin', allPermissions);
  return shared ? granted('subuser', shared) : undefined;
}

/** Whatever the caller may not reach does not exist for them. */
export function serverNotFound(serverId: string): DomainError {
  return new DomainError('NOT_FOUND', `server ${serverId} not found`);
}

/** The permissions in one set and not the other: what a change of a sub-user's rights grants or revokes. */
export function changedPermissions(before: readonly Permission[], after: readonly Permission[]): Permission[] {
  return sortedPermissions([...before.filter((p) => !after.includes(p)), ...after.filter((p) => !before.includes(p))]);
}

/** Never grant (or revoke) what you don't hold: FORBIDDEN naming the first permission missing. */
export function assertMayGrant(access: ServerAccess, changed: readonly Permission[]): void {
  const missing = changed.find((permission) => !access.permissions.includes(permission));
  if (missing === undefined) return;
  throw new DomainError('FORBIDDEN', `you cannot grant or revoke ${missing}: you do not hold it on this server`, {
    permission: missing,
  });
}

export function assertAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new DomainError('FORBIDDEN', 'only an administrator may do this');
}
