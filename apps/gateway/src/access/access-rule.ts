import type { z } from 'zod';
import type { Permission } from '@blockplane/contracts';
import { IS_PUBLIC } from '@blockplane/service';

/** The one metadata key of every access rule but `@Public()`, which is the service library's (health probes use it). */
export const ACCESS_RULE = 'blockplane:access-rule';

/** A permission picked by one field of the body, once the body passed its contract schema (else the usual 400). */
export interface PermissionByField {
  schema: z.ZodType;
  field: string;
  permissions: Readonly<Record<string, Permission>>;
}

/**
 * What a server-scoped route needs on the server named by its `:id`: any access at all, a permission,
 * a permission chosen by the request, or `owner` — the owner or an admin, and through an API key only
 * when the key holds every permission (an owner's action must not be reachable by a narrowed key).
 */
export type ServerNeed = 'any' | 'owner' | Permission | PermissionByField;

export type AccessRule =
  | { kind: 'public' }
  | { kind: 'signed-in'; apiKeys: boolean }
  | { kind: 'admin' }
  | { kind: 'server'; need: ServerNeed };

type Declaration = ClassDecorator & MethodDecorator;

/** Writes the rule on a handler (or a whole controller), refusing a second one on the same target. */
function declare(rule: AccessRule): Declaration {
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const where = (descriptor?.value as object | undefined) ?? target;
    if (Reflect.hasOwnMetadata(ACCESS_RULE, where) || Reflect.hasOwnMetadata(IS_PUBLIC, where)) {
      throw new Error(`${String(key ?? (target as { name?: string }).name)} declares more than one access rule`);
    }
    Reflect.defineMetadata(ACCESS_RULE, rule, where);
  }) as Declaration;
}

/** Any authenticated caller; `{ apiKeys: false }` for what a key must never do (key management, the admin API). */
export const SignedIn = (options: { apiKeys?: boolean } = {}): Declaration =>
  declare({ kind: 'signed-in', apiKeys: options.apiKeys ?? true });

/** Role admin, from an access token: an API key never acts as an admin. */
export const AdminOnly = (): Declaration => declare({ kind: 'admin' });

/** The caller's rights on the `:id` server, as the servers service resolves them, must meet `need`. */
export const ServerAccess = (need: ServerNeed): Declaration => declare({ kind: 'server', need });

/** `need` for a route whose permission depends on what it is asked, e.g. the power action. */
export function permissionByField<S extends z.ZodObject, F extends keyof z.output<S> & string>(
  schema: S,
  field: F,
  permissions: Record<z.output<S>[F] & string, Permission>,
): PermissionByField {
  return { schema, field, permissions };
}

/**
 * The rules a handler declares, on itself and on its controller: exactly one is valid. `@Public()`
 * reads as the public rule, so one place answers "what does this route need".
 */
export function declaredRules(handler: object, controller: object): AccessRule[] {
  return [handler, controller].flatMap((target): AccessRule[] => {
    const rule = Reflect.getOwnMetadata(ACCESS_RULE, target) as AccessRule | undefined;
    const isPublic = Reflect.getOwnMetadata(IS_PUBLIC, target) === true;
    return [...(isPublic ? [{ kind: 'public' as const }] : []), ...(rule ? [rule] : [])];
  });
}

/** The handler's one rule; the route catalogue refuses to start an app where any handler has none or several. */
export function accessRuleOf(handler: object, controller: object): AccessRule {
  const [rule, ...more] = declaredRules(handler, controller);
  if (rule === undefined || more.length > 0) throw new Error('a route without exactly one access rule was reached');
  return rule;
}
