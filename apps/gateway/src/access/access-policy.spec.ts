import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  type Actor,
  DomainError,
  type Permission,
  permissions,
  powerRequestSchema,
  type ServerAccess,
} from '@blockplane/contracts';
import { authorizeOnServer, requireAdmin, resolveNeed } from './access-policy.js';
import { permissionByField } from './access-rule.js';

const user: Actor = { userId: randomUUID(), role: 'user' };
const admin: Actor = { userId: randomUUID(), role: 'admin' };
const withKey = (actor: Actor, granted: Permission[]): Actor => ({
  ...actor,
  apiKey: { id: randomUUID(), permissions: granted },
});
const access = (kind: ServerAccess['kind'], granted: Permission[] = [...permissions]): ServerAccess => ({
  serverId: randomUUID(),
  ownerId: randomUUID(),
  kind,
  permissions: granted,
});

/** The DomainError a call throws, or `undefined` when it passes. */
function refusal(check: () => unknown): DomainError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

describe('authorizeOnServer', () => {
  it('lets any access through for `any`, whatever the permissions', () => {
    expect(refusal(() => authorizeOnServer('any', user, access('subuser', [])))).toBeUndefined();
  });

  it('checks a permission against the resolved rights and names the missing one', () => {
    const subuser = access('subuser', ['control.console', 'control.start']);
    expect(refusal(() => authorizeOnServer('control.start', user, subuser))).toBeUndefined();
    const refused = refusal(() => authorizeOnServer('control.stop', user, subuser));
    expect(refused?.code).toBe('FORBIDDEN');
    expect(refused?.message).toContain('control.stop');
    expect(refused?.details).toEqual({ permission: 'control.stop' });
  });

  it('narrows by the API key even when the resolved rights were not narrowed', () => {
    const key = withKey(user, ['file.read']);
    expect(refusal(() => authorizeOnServer('file.read', key, access('owner')))).toBeUndefined();
    expect(refusal(() => authorizeOnServer('file.delete', key, access('owner')))?.details).toEqual({
      permission: 'file.delete',
    });
  });

  it('lets the owner and an admin through `owner`, never a sub-user, even one holding everything', () => {
    expect(refusal(() => authorizeOnServer('owner', user, access('owner')))).toBeUndefined();
    expect(refusal(() => authorizeOnServer('owner', admin, access('admin')))).toBeUndefined();
    const refused = refusal(() => authorizeOnServer('owner', user, access('subuser')));
    expect(refused?.code).toBe('FORBIDDEN');
    expect(refused?.details).toEqual({ permission: 'owner' });
  });

  it('lets an owner’s API key through `owner` only when it holds every permission', () => {
    const [first, ...rest] = permissions;
    const narrow = withKey(user, rest);
    expect(refusal(() => authorizeOnServer('owner', narrow, access('owner', rest)))?.details).toEqual({
      permission: first,
    });
    const full = withKey(user, [...permissions]);
    expect(refusal(() => authorizeOnServer('owner', full, access('owner')))).toBeUndefined();
  });
});

describe('resolveNeed', () => {
  const power = permissionByField(powerRequestSchema, 'action', {
    start: 'control.start',
    stop: 'control.stop',
    kill: 'control.stop',
    restart: 'control.restart',
  });

  it.each([
    ['start', 'control.start'],
    ['stop', 'control.stop'],
    ['kill', 'control.stop'],
    ['restart', 'control.restart'],
  ])('reads %s as %s', (action, permission) => {
    expect(resolveNeed(power, { action })).toBe(permission);
  });

  it('answers an invalid body with the usual field-level 400', () => {
    const refused = refusal(() => resolveNeed(power, { action: 'explode' }));
    expect(refused?.code).toBe('VALIDATION_FAILED');
    expect(refused?.details).toEqual([{ path: 'action', message: expect.any(String) }]);
    expect(refusal(() => resolveNeed(power, undefined))?.code).toBe('VALIDATION_FAILED');
  });

  it('passes a fixed need through', () => {
    expect(resolveNeed('user.read', { anything: true })).toBe('user.read');
  });
});

describe('requireAdmin', () => {
  it('takes an admin’s access token, and refuses a user and any API key', () => {
    expect(refusal(() => requireAdmin(admin))).toBeUndefined();
    expect(refusal(() => requireAdmin(user))?.message).toBe('admins only');
    expect(refusal(() => requireAdmin(withKey(admin, [...permissions])))?.message).toBe('API keys cannot be used here');
  });
});
