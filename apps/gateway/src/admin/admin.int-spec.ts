import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { type Actor, type AdminUser, DomainError } from '@blockplane/contracts';
import { aServer, aUser, GatewayTestKit } from '../testing/gateway-test-kit.js';

const admin: Actor = { userId: randomUUID(), role: 'admin' };
const anAdminUser = (overrides: Partial<AdminUser> = {}): AdminUser => ({
  ...aUser(),
  status: 'active',
  suspendedReason: null,
  ...overrides,
});

describe('gateway admin routes', () => {
  let kit: GatewayTestKit;
  let auth: { Authorization: string };

  beforeAll(async () => {
    kit = await GatewayTestKit.start();
    auth = await kit.bearer(admin);
  });
  afterAll(() => kit.close());

  it('lists users a page at a time with a search, and refuses bad paging', async () => {
    const users = [anAdminUser()];
    kit.answer('auth.admin.users', () => ({ users, nextCursor: 'next' }));
    const res = await request(kit.url)
      .get('/api/v1/admin/users?q=%20alex%20&limit=20&cursor=abc')
      .set(auth)
      .expect(200);
    expect(res.body).toEqual({ users, nextCursor: 'next' });
    expect(kit.last('auth.admin.users')).toEqual({ actor: admin, q: 'alex', limit: 20, cursor: 'abc' });
    await request(kit.url).get('/api/v1/admin/users').set(auth).expect(200);
    expect(kit.last('auth.admin.users')).toEqual({ actor: admin, limit: 50 });
    const bad = await request(kit.url).get('/api/v1/admin/users?limit=0&role=admin').set(auth).expect(400);
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'limit', message: expect.any(String) },
        { path: 'role', message: 'is not a known field' },
      ]),
    );
  });

  it('reads one user, changes a role, suspends and unsuspends, each through auth', async () => {
    const id = randomUUID();
    kit.answer('auth.admin.user', ({ userId }) => anAdminUser({ id: userId }));
    kit.answer('auth.admin.update-user', ({ userId, role }) => anAdminUser({ id: userId, role }));
    kit.answer('auth.admin.suspend', ({ userId, reason }) =>
      anAdminUser({ id: userId, status: 'suspended', suspendedReason: reason ?? null }),
    );
    kit.answer('auth.admin.unsuspend', ({ userId }) => anAdminUser({ id: userId }));

    expect((await request(kit.url).get(`/api/v1/admin/users/${id}`).set(auth).expect(200)).body.id).toBe(id);
    const promoted = await request(kit.url).patch(`/api/v1/admin/users/${id}`).set(auth).send({ role: 'admin' });
    expect([promoted.status, promoted.body.role]).toEqual([200, 'admin']);
    expect(kit.last('auth.admin.update-user')).toEqual({ actor: admin, userId: id, role: 'admin' });
    await request(kit.url).patch(`/api/v1/admin/users/${id}`).set(auth).send({ role: 'root' }).expect(400);

    const suspended = await request(kit.url).post(`/api/v1/admin/users/${id}/suspend`).set(auth).expect(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', suspendedReason: null });
    expect(kit.last('auth.admin.suspend')).toEqual({ actor: admin, userId: id });
    await request(kit.url).post(`/api/v1/admin/users/${id}/suspend`).set(auth).send({ reason: 'abuse' }).expect(200);
    expect(kit.last('auth.admin.suspend')).toEqual({ actor: admin, userId: id, reason: 'abuse' });
    const back = await request(kit.url).delete(`/api/v1/admin/users/${id}/suspend`).set(auth).expect(200);
    expect(back.body.status).toBe('active');
    expect(kit.last('auth.admin.unsuspend')).toEqual({ actor: admin, userId: id });
  });

  it('passes auth’s refusals through: suspending oneself is a conflict', async () => {
    kit.answer('auth.admin.suspend', () => {
      throw new DomainError('CONFLICT', 'an admin cannot suspend themselves');
    });
    const res = await request(kit.url).post(`/api/v1/admin/users/${admin.userId}/suspend`).set(auth).expect(409);
    expect(res.body.error.message).toBe('an admin cannot suspend themselves');
  });

  it('sets a quota through auth, refusing a bad quota and a non-UUID id', async () => {
    const quota = { maxServers: 5, maxCpuCores: 8, maxMemoryMb: 16384, maxDiskGb: 100 };
    const userId = randomUUID();
    kit.answer('auth.set-quota', ({ userId: id, quota: q }) => aUser({ id, quota: q }));
    const res = await request(kit.url).put(`/api/v1/admin/users/${userId}/quota`).set(auth).send(quota).expect(200);
    expect(res.body).toMatchObject({ id: userId, quota });
    expect(kit.last('auth.set-quota')).toEqual({ actor: admin, userId, quota });
    const bad = await request(kit.url)
      .put(`/api/v1/admin/users/${userId}/quota`)
      .set(auth)
      .send({ ...quota, maxServers: -1 })
      .expect(400);
    expect(bad.body.error.details).toEqual([{ path: 'maxServers', message: expect.any(String) }]);
    await request(kit.url).put('/api/v1/admin/users/42/quota').set(auth).send(quota).expect(404);
  });

  it('lists every server and the whole activity log, with their filters', async () => {
    const ownerId = randomUUID();
    kit.answer('servers.admin.list', () => ({
      servers: [{ ...aServer({ ownerId }), ownerEmail: 'owner@example.com' }],
      nextCursor: null,
    }));
    kit.answer('servers.admin.activity', () => ({ entries: [], nextCursor: null }));
    const servers = await request(kit.url).get(`/api/v1/admin/servers?ownerId=${ownerId}`).set(auth).expect(200);
    expect(servers.body.servers[0].ownerEmail).toBe('owner@example.com');
    expect(kit.last('servers.admin.list')).toEqual({ actor: admin, ownerId, limit: 50 });
    const serverId = randomUUID();
    await request(kit.url)
      .get(`/api/v1/admin/activity?actorId=${ownerId}&serverId=${serverId}&limit=5`)
      .set(auth)
      .expect(200);
    expect(kit.last('servers.admin.activity')).toEqual({ actor: admin, actorId: ownerId, serverId, limit: 5 });
    await request(kit.url).get('/api/v1/admin/servers?ownerId=me').set(auth).expect(400);
  });
});
