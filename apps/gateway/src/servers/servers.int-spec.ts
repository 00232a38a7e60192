import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { type Actor, DomainError, permissions, type Usage } from '@blockplane/contracts';
import { aServer, anAccess, GatewayTestKit } from '../testing/gateway-test-kit.js';

const actor: Actor = { userId: randomUUID(), role: 'user' };
const usage: Usage = {
  servers: { used: 1, max: 3 },
  cpuCores: { used: 1, max: 4 },
  memoryMb: { used: 2048, max: 8192 },
  diskGb: { used: 10, max: 40 },
};
const create = { name: 'survival', type: 'paper', version: '1.21.4', plan: 'small' };

describe('gateway servers routes', () => {
  let kit: GatewayTestKit;
  let auth: { Authorization: string };

  beforeAll(async () => {
    kit = await GatewayTestKit.start();
    auth = await kit.bearer(actor);
    kit.answer('servers.access', ({ actor: asking, serverId }) => anAccess(asking, { serverId }));
    kit.answer('servers.create', ({ actor: owner, name, type, version, plan }) =>
      aServer({ ownerId: owner.userId, name, type, version, plan }),
    );
    kit.answer('servers.get', ({ serverId }) =>
      aServer({ id: serverId, status: 'running', address: '10.0.0.7:25565' }),
    );
    kit.answer('servers.power', ({ serverId, action }) =>
      aServer({ id: serverId, status: action === 'stop' ? 'stopping' : 'starting' }),
    );
    kit.answer('servers.delete', ({ serverId }) => aServer({ id: serverId, status: 'deleting' }));
    kit.answer('servers.dashboard', () => ({
      servers: [{ ...aServer({ ownerId: actor.userId }), access: 'owner', permissions: [...permissions] }],
      usage,
      nextCursor: 'next',
    }));
  });
  afterAll(() => kit.close());

  it('creates: 202 with the server in status creating, on behalf of the caller', async () => {
    const res = await request(kit.url).post('/api/v1/servers').set(auth).send(create).expect(202);
    expect(res.body).toMatchObject({ ...create, status: 'creating', ownerId: actor.userId });
    expect(kit.last('servers.create')).toEqual({ actor, ...create });
  });

  it('answers the dashboard, one server and the caller’s usage', async () => {
    const dashboard = await request(kit.url).get('/api/v1/servers').set(auth).expect(200);
    expect(dashboard.body.usage).toEqual(usage);
    expect(dashboard.body.servers).toHaveLength(1);
    expect(dashboard.body.nextCursor).toBe('next');
    expect(kit.last('servers.dashboard')).toEqual({ actor, limit: 50 });

    const id = randomUUID();
    const one = await request(kit.url).get(`/api/v1/servers/${id}`).set(auth).expect(200);
    expect(one.body).toMatchObject({ id, status: 'running', address: '10.0.0.7:25565' });
    expect(kit.last('servers.get')).toEqual({ actor, serverId: id });

    kit.answer('servers.usage', () => usage);
    await request(kit.url).get('/api/v1/me/usage').set(auth).expect(200, usage);
  });

  it('passes the dashboard’s page through and refuses bad paging with field-level details', async () => {
    await request(kit.url).get('/api/v1/servers?limit=200&cursor=abc').set(auth).expect(200);
    expect(kit.last('servers.dashboard')).toEqual({ actor, limit: 200, cursor: 'abc' });
    const before = kit.received.get('servers.dashboard')?.length ?? 0;
    const cases: [string, unknown][] = [
      ['limit=0', [{ path: 'limit', message: expect.any(String) }]],
      ['limit=201', [{ path: 'limit', message: expect.any(String) }]],
      ['limit=ten', [{ path: 'limit', message: expect.any(String) }]],
      ['limit=1.5', [{ path: 'limit', message: expect.any(String) }]],
      ['cursor=', [{ path: 'cursor', message: expect.any(String) }]],
      ['page=2', [{ path: 'page', message: 'is not a known field' }]],
    ];
    for (const [query, details] of cases) {
      const res = await request(kit.url).get(`/api/v1/servers?${query}`).set(auth).expect(400);
      expect(res.body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'request query is invalid', details });
    }
    expect(kit.received.get('servers.dashboard')?.length ?? 0).toBe(before);
  });

  it('accepts power actions and deletion with 202', async () => {
    const id = randomUUID();
    const power = await request(kit.url).post(`/api/v1/servers/${id}/power`).set(auth).send({ action: 'stop' });
    expect(power.status).toBe(202);
    expect(power.body).toMatchObject({ id, status: 'stopping' });
    expect(kit.last('servers.power')).toEqual({ actor, serverId: id, action: 'stop' });
    const deleted = await request(kit.url).delete(`/api/v1/servers/${id}`).set(auth).expect(202);
    expect(deleted.body.status).toBe('deleting');
    expect(kit.last('servers.delete')).toEqual({ actor, serverId: id });
  });

  it('refuses bad bodies with field-level details and asks nobody', async () => {
    const before = kit.received.get('servers.create')?.length ?? 0;
    const cases: [Record<string, unknown>, unknown][] = [
      [{ ...create, name: '   ' }, [{ path: 'name', message: 'must not be empty' }]],
      [{ ...create, name: 'x'.repeat(65) }, [{ path: 'name', message: 'must be at most 64 characters' }]],
      [{ ...create, name: 'bad\u0007name' }, [{ path: 'name', message: 'must not contain control characters' }]],
      [{ ...create, type: 'bukkit' }, [{ path: 'type', message: expect.any(String) }]],
      [{ ...create, owner: 'me' }, [{ path: 'owner', message: 'is not a known field' }]],
    ];
    for (const [body, details] of cases) {
      const res = await request(kit.url).post('/api/v1/servers').set(auth).send(body).expect(400);
      expect(res.body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'request body is invalid', details });
    }
    const power = await request(kit.url)
      .post(`/api/v1/servers/${randomUUID()}/power`)
      .set(auth)
      .send({ action: 'explode' })
      .expect(400);
    expect(power.body.error.details).toEqual([{ path: 'action', message: expect.any(String) }]);
    expect(kit.received.get('servers.create')?.length ?? 0).toBe(before);
  });

  it('answers 400 to malformed JSON and 413 to a body over 64 KiB', async () => {
    const malformed = await request(kit.url)
      .post('/api/v1/servers')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    const huge = await request(kit.url)
      .post('/api/v1/servers')
      .set(auth)
      .send({ ...create, name: 'x'.repeat(65 * 1024) })
      .expect(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 to an id that is not a UUID, without asking the servers service', async () => {
    const asked = () => [kit.received.get('servers.access')?.length, kit.received.get('servers.get')?.length];
    const before = asked();
    const res = await request(kit.url).get('/api/v1/servers/not-an-id').set(auth).expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'server not found' } });
    await request(kit.url).post('/api/v1/servers/42/power').set(auth).send({ action: 'start' }).expect(404);
    await request(kit.url).delete('/api/v1/servers/42').set(auth).expect(404);
    expect(asked()).toEqual(before);
  });

  it('answers a server’s activity log a page at a time, and refuses bad paging', async () => {
    const id = randomUUID();
    kit.answer('servers.activity', () => ({ entries: [], nextCursor: null }));
    await request(kit.url).get(`/api/v1/servers/${id}/activity?limit=10&cursor=abc`).set(auth).expect(200, {
      entries: [],
      nextCursor: null,
    });
    expect(kit.last('servers.activity')).toEqual({ actor, serverId: id, limit: 10, cursor: 'abc' });
    const bad = await request(kit.url).get(`/api/v1/servers/${id}/activity?limit=500`).set(auth).expect(400);
    expect(bad.body.error.details).toEqual([{ path: 'limit', message: expect.any(String) }]);
  });

  it('maps the servers service’s domain errors: QUOTA_EXCEEDED → 409, NOT_FOUND → 404', async () => {
    kit.answer('servers.create', () => {
      throw new DomainError('QUOTA_EXCEEDED', 'server limit reached', { limit: 3 });
    });
    const quota = await request(kit.url).post('/api/v1/servers').set(auth).send(create).expect(409);
    expect(quota.body).toEqual({
      error: { code: 'QUOTA_EXCEEDED', message: 'server limit reached', details: { limit: 3 } },
    });
    kit.answer('servers.get', () => {
      throw new DomainError('NOT_FOUND', 'server not found');
    });
    await request(kit.url).get(`/api/v1/servers/${randomUUID()}`).set(auth).expect(404);
  });

  it('answers 503 when no servers service answers', async () => {
    const res = await request(kit.url).get('/api/v1/plans').expect(503);
    expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});
