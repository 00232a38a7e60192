import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type Actor, DomainError, type Permission, permissions } from '@blockplane/contracts';
import { accessOf, assertMayGrant, changedPermissions, isAdmin } from './server-access.js';

const owner = randomUUID();
const user = (role: Actor['role'] = 'user', keyPermissions?: Permission[]): Actor => ({
  userId: randomUUID(),
  role,
  ...(keyPermissions ? { apiKey: { id: randomUUID(), permissions: keyPermissions } } : {}),
});
const everything = [...permissions].sort();

describe('server access', () => {
  it('gives the owner and an admin everything, a sub-user theirs, anyone else nothing', () => {
    expect(accessOf({ userId: owner, role: 'user' }, owner, null)).toEqual({ kind: 'owner', permissions: everything });
    expect(accessOf(user('admin'), owner, null)).toEqual({ kind: 'admin', permissions: everything });
    expect(accessOf(user(), owner, ['file.read', 'control.console'])).toEqual({
      kind: 'subuser',
      permissions: ['control.console', 'file.read'],
    });
    expect(accessOf(user(), owner, null)).toBeUndefined();
  });

  it('narrows to the API key, which never makes an admin', () => {
    const key: Permission[] = ['file.read', 'control.start'];
    expect(accessOf({ ...user('user', key), userId: owner }, owner, null)?.permissions).toEqual([
      'control.start',
      'file.read',
    ]);
    expect(accessOf(user('user', key), owner, ['file.read', 'file.delete'])?.permissions).toEqual(['file.read']);
    expect(isAdmin(user('admin', key))).toBe(false);
    expect(accessOf(user('admin', key), owner, null)).toBeUndefined();
  });

  it('names what a change of rights grants or revokes, and refuses what the granter lacks', () => {
    expect(changedPermissions(['file.read', 'file.update'], ['file.update', 'control.start'])).toEqual([
      'control.start',
      'file.read',
    ]);
    const access = {
      serverId: randomUUID(),
      ownerId: owner,
      kind: 'subuser' as const,
      permissions: ['file.read'] as Permission[],
    };
    expect(() => assertMayGrant(access, ['file.read'])).not.toThrow();
    expect(() => assertMayGrant(access, ['file.read', 'user.read'])).toThrow(
      new DomainError('FORBIDDEN', 'you cannot grant or revoke user.read: you do not hold it on this server'),
    );
  });
});
