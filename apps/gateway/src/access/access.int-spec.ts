import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Application } from 'express';
import request from 'supertest';
import {
  type Actor,
  API_KEY_PREFIX,
  DomainError,
  type Permission,
  permissionCatalogue,
  permissions,
  type ServerAccess,
} from '@blockplane/contracts';
import { aServer, aUser, GatewayTestKit } from '../testing/gateway-test-kit.js';
import { RouteCatalogue } from './route-catalogue.js';

const owner: Actor = { userId: randomUUID(), role: 'user' };
const subuser: Actor = { userId: randomUUID(), role: 'user' };
const admin: Actor = { userId: randomUUID(), role: 'admin' };
const stranger: Actor = { userId: randomUUID(), role: 'user' };

describe('gateway access guard', () => {
  let kit: GatewayTestKit;
  const serverId = randomUUID();
  /** Each caller's rights on `serverId`, as the stand-in for `servers.access` answers them (never narrowed by a key). */
  const rights = new Map<string, ServerAccess>();
  /** API keys auth would accept: secret → the actor it speaks for. */
  const apiKeys = new Map<string, Actor>();
  const grant = (actor: Actor, kind: ServerAccess['kind'], granted: readonly Permission[] = permissions) =>
    rights.set(actor.userId, { serverId, ownerId: owner.userId, kind, permissions: [...granted] });
  const newKey = (actor: Actor, granted: readonly Permission[]): string => {
    const secret = `${API_KEY_PREFIX}${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    apiKeys.set(secret, {
      userId: actor.userId,
      role: 'user',
      apiKey: { id: randomUUID(), permissions: [...granted] },
    });
    return secret;
  };
  const as = (actor: Actor) => kit.bearer(actor);
  const withKey = (secret: string) => ({ Authorization: `Bearer ${secret}` });
  const count = (subject: Parameters<GatewayTestKit['last']>[0]) => kit.received.get(subject)?.length ?? 0;

  beforeAll(async () => {
    kit = await GatewayTestKit.start();
    kit.answer('servers.access', ({ actor, serverId: id }) => {
      const found = id === serverId ? rights.get(actor.userId) : undefined;
      if (found === undefined) throw new DomainError('NOT_FOUND', `server ${id} not found`);
      return found;
    });
    kit.answer('auth.verify-api-key', ({ key }) => {
      const actor = apiKeys.get(key);
      if (actor === undefined) throw new DomainError('UNAUTHENTICATED', 'invalid API key');
      return actor;
    });
    kit.answer('servers.get', ({ serverId: id }) => aServer({ id, ownerId: owner.userId, status: 'running' }));
    kit.answer('servers.power', ({ serverId: id }) => aServer({ id, ownerId: owner.userId, status: 'starting' }));
    kit.answer('servers.delete', ({ serverId: id }) => aServer({ id, ownerId: owner.userId, status: 'deleting' }));
    kit.answer('servers.subusers.list', () => []);
    kit.answer('auth.api-keys.list', () => []);
    kit.answer('auth.admin.users', () => ({ users: [], nextCursor: null }));
    kit.answer('auth.me', ({ actor }) => aUser({ id: actor.userId, role: actor.role }));
  });
  beforeEach(() => {
    rights.clear();
    grant(owner, 'owner');
    grant(admin, 'admin');
  });
  afterAll(() => kit.close());

  describe('@ServerAccess', () => {
    it('answers 404 for a server the caller has no access to, from the servers service, without calling the handler', async () => {
      const before = count('servers.get');
      const res = await request(kit.url)
        .get(`/api/v1/servers/${serverId}`)
        .set(await as(stranger))
        .expect(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: `server ${serverId} not found` } });
      expect(kit.last('servers.access')).toEqual({ actor: stranger, serverId });
      expect(count('servers.get')).toBe(before);
    });

    it('lets any access through `any`: a sub-user with no permission at all reads the server', async () => {
      grant(subuser, 'subuser', []);
      await request(kit.url)
        .get(`/api/v1/servers/${serverId}`)
        .set(await as(subuser))
        .expect(200);
    });

    it('answers 403 naming a missing permission, 200 once it is granted', async () => {
      grant(subuser, 'subuser', ['control.console']);
      const before = count('servers.subusers.list');
      const res = await request(kit.url)
        .get(`/api/v1/servers/${serverId}/subusers`)
        .set(await as(subuser))
        .expect(403);
      expect(res.body.error).toEqual({
        code: 'FORBIDDEN',
        message: 'missing permission user.read',
        details: { permission: 'user.read' },
      });
      expect(count('servers.subusers.list')).toBe(before);
      grant(subuser, 'subuser', ['user.read']);
      await request(kit.url)
        .get(`/api/v1/servers/${serverId}/subusers`)
        .set(await as(subuser))
        .expect(200);
    });

    it('picks the power permission by action, and still answers an invalid action with the usual 400', async () => {
      grant(subuser, 'subuser', ['control.start']);
      const auth = await as(subuser);
      const power = (action: string) =>
        request(kit.url).post(`/api/v1/servers/${serverId}/power`).set(auth).send({ action });
      expect((await power('start')).status).toBe(202);
      for (const action of ['stop', 'kill']) {
        const refused = await power(action);
        expect([refused.status, refused.body.error.details]).toEqual([403, { permission: 'control.stop' }]);
      }
      expect((await power('restart')).body.error.details).toEqual({ permission: 'control.restart' });
      const invalid = await power('explode').expect(400);
      expect(invalid.body.error).toEqual({
        code: 'VALIDATION_FAILED',
        message: 'request body is invalid',
        details: [{ path: 'action', message: expect.any(String) }],
      });
    });

    it('lets only the owner and admins through `owner`: a sub-user holding every permission is refused', async () => {
      grant(subuser, 'subuser', permissions);
      const refused = await request(kit.url)
        .delete(`/api/v1/servers/${serverId}`)
        .set(await as(subuser))
        .expect(403);
      expect(refused.body.error.details).toEqual({ permission: 'owner' });
      await request(kit.url)
        .delete(`/api/v1/servers/${serverId}`)
        .set(await as(owner))
        .expect(202);
      await request(kit.url)
        .delete(`/api/v1/servers/${serverId}`)
        .set(await as(admin))
        .expect(202);
    });

    it('lets admins act on any server with every permission', async () => {
      const auth = await as(admin);
      await request(kit.url).get(`/api/v1/servers/${serverId}/subusers`).set(auth).expect(200);
      await request(kit.url).post(`/api/v1/servers/${serverId}/power`).set(auth).send({ action: 'stop' }).expect(202);
    });
  });

  describe('API keys', () => {
    it('authenticate as `Authorization: Bearer`, verified by auth with the caller’s address', async () => {
      const secret = newKey(owner, ['control.start']);
      await request(kit.url).post(`/api/v1/servers/${serverId}/power`).set(withKey(secret)).send({ action: 'start' });
      expect(kit.last('auth.verify-api-key')).toEqual({ key: secret, source: '127.0.0.1' });
      expect(kit.last('servers.power')?.actor).toEqual(apiKeys.get(secret));
    });

    it('narrow the owner’s rights to the key’s permissions, whatever the servers service answered', async () => {
      const secret = newKey(owner, ['control.start']);
      const power = (action: string) =>
        request(kit.url).post(`/api/v1/servers/${serverId}/power`).set(withKey(secret)).send({ action });
      await power('start').expect(202);
      expect((await power('stop').expect(403)).body.error.details).toEqual({ permission: 'control.stop' });
    });

    it('reach `owner` routes only when the key holds every permission', async () => {
      const narrow = newKey(owner, permissions.slice(1));
      const refused = await request(kit.url).delete(`/api/v1/servers/${serverId}`).set(withKey(narrow)).expect(403);
      expect(refused.body.error.details).toEqual({ permission: permissions[0] });
      await request(kit.url)
        .delete(`/api/v1/servers/${serverId}`)
        .set(withKey(newKey(owner, permissions)))
        .expect(202);
    });

    it('are refused where keys may not go: key management and the admin API, without asking the owning service', async () => {
      const secret = newKey(admin, permissions);
      const before = [count('auth.api-keys.list'), count('auth.admin.users')];
      for (const path of ['/api/v1/me/api-keys', '/api/v1/admin/users']) {
        const res = await request(kit.url).get(path).set(withKey(secret)).expect(403);
        expect(res.body.error.message).toBe('API keys cannot be used here');
      }
      expect([count('auth.api-keys.list'), count('auth.admin.users')]).toEqual(before);
      await request(kit.url).get('/api/v1/permissions').set(withKey(secret)).expect(200);
    });

    it('answer 401 when auth does not know the key (revoked, expired, unknown), 403 when its owner is suspended', async () => {
      const res = await request(kit.url)
        .get('/api/v1/me')
        .set(withKey(`${API_KEY_PREFIX}revoked`))
        .expect(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      kit.answer('auth.verify-api-key', () => {
        throw new DomainError('FORBIDDEN', 'account is suspended');
      });
      try {
        const suspended = await request(kit.url)
          .get('/api/v1/me')
          .set(withKey(newKey(owner, [])))
          .expect(403);
        expect(suspended.body.error.message).toBe('account is suspended');
      } finally {
        kit.answer('auth.verify-api-key', ({ key }) => {
          const actor = apiKeys.get(key);
          if (actor === undefined) throw new DomainError('UNAUTHENTICATED', 'invalid API key');
          return actor;
        });
      }
    });

    it('answer 401 to an over-long key without asking auth', async () => {
      const before = count('auth.verify-api-key');
      await request(kit.url)
        .get('/api/v1/me')
        .set(withKey(`${API_KEY_PREFIX}${'x'.repeat(300)}`))
        .expect(401);
      expect(count('auth.verify-api-key')).toBe(before);
    });
  });

  describe('access tokens', () => {
    it('refuse a suspended account at once, on the very next request, and work again once unsuspended', async () => {
      const actor: Actor = { userId: randomUUID(), role: 'user' };
      const auth = await as(actor);
      const asked = count('auth.principal');
      await request(kit.url).get('/api/v1/me').set(auth).expect(200);
      kit.principals.set(actor.userId, { userId: actor.userId, role: 'user', status: 'suspended' });
      const res = await request(kit.url).get('/api/v1/me').set(auth).expect(403);
      expect(res.body.error).toEqual({ code: 'FORBIDDEN', message: 'account is suspended' });
      kit.principals.set(actor.userId, { userId: actor.userId, role: 'user', status: 'active' });
      await request(kit.url).get('/api/v1/me').set(auth).expect(200);
      expect(count('auth.principal')).toBe(asked + 3);
    });

    it('take the role from the account’s standing, not from the token', async () => {
      const demoted: Actor = { userId: randomUUID(), role: 'admin' };
      const auth = await as(demoted);
      await request(kit.url).get('/api/v1/admin/users').set(auth).expect(200);
      kit.principals.set(demoted.userId, { userId: demoted.userId, role: 'user', status: 'active' });
      expect((await request(kit.url).get('/api/v1/admin/users').set(auth).expect(403)).body.error.message).toBe(
        'admins only',
      );
      await request(kit.url).get('/api/v1/me').set(auth).expect(200);
      expect(kit.last('auth.me')).toEqual({ actor: { userId: demoted.userId, role: 'user' } });
    });

    it('answer 401 for an account that no longer exists', async () => {
      const gone: Actor = { userId: randomUUID(), role: 'user' };
      const auth = await as(gone);
      kit.principals.delete(gone.userId);
      await request(kit.url).get('/api/v1/me').set(auth).expect(401);
    });

    it.each([
      ['an opaque refresh token', () => Promise.resolve(randomBytes(32).toString('base64url'))],
      ['a JWT of another type (refresh)', () => kit.token({ typ: 'refresh+jwt' })],
      ['a JWT for another audience', () => kit.token({ audience: 'blockplane-refresh' })],
    ])('refuse %s as a bearer with 401, without asking auth for a principal', async (_, credential) => {
      const asked = count('auth.principal');
      const res = await request(kit.url)
        .get('/api/v1/me')
        .set('Authorization', `Bearer ${await credential()}`)
        .expect(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(count('auth.principal')).toBe(asked);
    });
  });

  describe('@SignedIn, @AdminOnly', () => {
    it('answer the permission catalogue, with its descriptions, to any signed-in caller', async () => {
      const res = await request(kit.url)
        .get('/api/v1/permissions')
        .set(await as(stranger))
        .expect(200);
      expect(res.body).toEqual(Object.entries(permissionCatalogue).map(([key, description]) => ({ key, description })));
    });

    it('refuse a signed-in user the admin API with 403, without asking auth', async () => {
      const before = count('auth.admin.users');
      const res = await request(kit.url)
        .get('/api/v1/admin/users')
        .set(await as(stranger))
        .expect(403);
      expect(res.body.error).toEqual({ code: 'FORBIDDEN', message: 'admins only' });
      expect(count('auth.admin.users')).toBe(before);
    });
  });

  describe('the route catalogue', () => {
    it('lists every route Express serves, each with one rule, and activity on every state-changing one', () => {
      const routes = kit.app.get(RouteCatalogue).routes;
      const router = (kit.app.getHttpAdapter().getInstance() as Application).router as unknown as {
        stack: { route?: { path: string; methods: Record<string, boolean> } }[];
      };
      const served = router.stack.flatMap(({ route }) =>
        route && route.path !== '/{*all}'
          ? Object.keys(route.methods)
              .filter((method) => method !== '_all')
              .map((method) => `${method.toUpperCase()} ${route.path}`)
          : [],
      );
      expect(served.length).toBeGreaterThan(30);
      expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([...new Set(served)].sort());
      for (const route of routes) {
        if (route.rule.kind !== 'public' && route.method !== 'GET') expect(route.activity).not.toBeNull();
      }
    });

    it('declares what issue 5 asks of the new routes', () => {
      const rules = new Map(kit.app.get(RouteCatalogue).routes.map((r) => [`${r.method} ${r.path}`, r.rule]));
      expect(
        Object.fromEntries([...rules].filter(([key]) => /subusers|activity|api-keys|admin|permissions/.test(key))),
      ).toEqual({
        'GET /api/v1/permissions': { kind: 'signed-in', apiKeys: true },
        'GET /api/v1/servers/:id/activity': { kind: 'server', need: 'activity.read' },
        'GET /api/v1/servers/:id/subusers': { kind: 'server', need: 'user.read' },
        'POST /api/v1/servers/:id/subusers': { kind: 'server', need: 'user.create' },
        'GET /api/v1/servers/:id/subusers/:userId': { kind: 'server', need: 'user.read' },
        'PATCH /api/v1/servers/:id/subusers/:userId': { kind: 'server', need: 'user.update' },
        'DELETE /api/v1/servers/:id/subusers/:userId': { kind: 'server', need: 'user.delete' },
        'GET /api/v1/me/api-keys': { kind: 'signed-in', apiKeys: false },
        'POST /api/v1/me/api-keys': { kind: 'signed-in', apiKeys: false },
        'DELETE /api/v1/me/api-keys/:id': { kind: 'signed-in', apiKeys: false },
        'GET /api/v1/admin/users': { kind: 'admin' },
        'GET /api/v1/admin/users/:id': { kind: 'admin' },
        'PATCH /api/v1/admin/users/:id': { kind: 'admin' },
        'PUT /api/v1/admin/users/:id/quota': { kind: 'admin' },
        'POST /api/v1/admin/users/:id/suspend': { kind: 'admin' },
        'DELETE /api/v1/admin/users/:id/suspend': { kind: 'admin' },
        'GET /api/v1/admin/servers': { kind: 'admin' },
        'GET /api/v1/admin/activity': { kind: 'admin' },
      });
      expect(rules.get('GET /api/v1/servers/:id')).toEqual({ kind: 'server', need: 'any' });
      expect(rules.get('DELETE /api/v1/servers/:id')).toEqual({ kind: 'server', need: 'owner' });
    });
  });
});
