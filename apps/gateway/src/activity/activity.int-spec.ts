import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  type ActivityEntry,
  activityEntrySchema,
  type Actor,
  API_KEY_PREFIX,
  DomainError,
  permissions,
} from '@blockplane/contracts';
import { aServer, anAccess, aUser, GatewayTestKit } from '../testing/gateway-test-kit.js';

const create = { name: 'survival', type: 'paper', version: '1.21.4', plan: 'small' };
const proxyHop = { 'X-Forwarded-For': '203.0.113.5' };

describe('gateway activity recording', () => {
  let kit: GatewayTestKit;

  /** The entries recorded for one actor so far (each test has its own actor), checked against the contract. */
  const recorded = async (actor: Actor): Promise<ActivityEntry[]> => {
    const events = await kit.published('activity.recorded');
    return events.map((event) => activityEntrySchema.parse(event.data)).filter((e) => e.actorId === actor.userId);
  };
  const anActor = (role: Actor['role'] = 'user'): Actor => ({ userId: randomUUID(), role });

  beforeAll(async () => {
    // Behind a proxy on loopback: the recorded source is the caller's address from X-Forwarded-For.
    kit = await GatewayTestKit.start({ TRUST_PROXY: 'loopback' });
    kit.answer('servers.access', ({ actor, serverId }) => anAccess(actor, { serverId }));
    kit.answer('servers.create', ({ actor, ...body }) => aServer({ ...body, ownerId: actor.userId }));
    kit.answer('servers.power', ({ serverId }) => aServer({ id: serverId, status: 'starting' }));
    kit.answer('servers.subusers.create', ({ email, permissions: granted }) => ({
      userId: randomUUID(),
      email,
      permissions: granted,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }));
    kit.answer('servers.subusers.remove', () => ({}));
    kit.answer('auth.admin.suspend', ({ userId, reason }) => ({
      ...aUser({ id: userId }),
      status: 'suspended' as const,
      suspendedReason: reason ?? null,
    }));
  });
  afterAll(() => kit.close());

  it('records a created server once: who, from where, what, on which server, when', async () => {
    const actor = anActor();
    const before = Date.now();
    const res = await request(kit.url)
      .post('/api/v1/servers')
      .set(await kit.bearer(actor))
      .set(proxyHop)
      .send(create)
      .expect(202);
    const entries = await recorded(actor);
    expect(entries).toEqual([
      {
        id: expect.any(String),
        occurredAt: expect.any(String),
        action: 'server.create',
        actorId: actor.userId,
        apiKeyId: null,
        source: '203.0.113.5',
        serverId: res.body.id,
        subjectUserId: null,
        details: create,
      },
    ]);
    expect(Date.parse(entries[0]?.occurredAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('records a power action made with an API key: the key, the route’s server and the action', async () => {
    const actor = anActor();
    const keyId = randomUUID();
    const secret = `${API_KEY_PREFIX}${randomUUID()}`;
    kit.answer('auth.verify-api-key', () => ({ ...actor, apiKey: { id: keyId, permissions: [...permissions] } }));
    const serverId = randomUUID();
    await request(kit.url)
      .post(`/api/v1/servers/${serverId}/power`)
      .set('Authorization', `Bearer ${secret}`)
      .send({ action: 'restart' })
      .expect(202);
    expect(await recorded(actor)).toEqual([
      expect.objectContaining({ action: 'server.power', apiKeyId: keyId, serverId, details: { action: 'restart' } }),
    ]);
  });

  it('records the account a sub-user action was about, and the permissions granted', async () => {
    const actor = anActor();
    const auth = await kit.bearer(actor);
    const serverId = randomUUID();
    const invited = await request(kit.url)
      .post(`/api/v1/servers/${serverId}/subusers`)
      .set(auth)
      .send({ email: 'friend@example.com', permissions: ['control.console', 'control.start'] })
      .expect(201);
    await request(kit.url).delete(`/api/v1/servers/${serverId}/subusers/${invited.body.userId}`).set(auth).expect(204);
    expect(await recorded(actor)).toEqual([
      expect.objectContaining({
        action: 'subuser.create',
        serverId,
        subjectUserId: invited.body.userId,
        details: { permissions: ['control.console', 'control.start'] },
      }),
      expect.objectContaining({ action: 'subuser.delete', serverId, subjectUserId: invited.body.userId, details: {} }),
    ]);
  });

  it('records an API key’s creation without its secret', async () => {
    const actor = anActor();
    const secret = `${API_KEY_PREFIX}${randomUUID()}_never-logged`;
    const apiKey = {
      id: randomUUID(),
      name: 'deploy bot',
      prefix: secret.slice(0, 12),
      permissions: ['control.start' as const],
      allowedIps: ['10.0.0.0/8'],
      expiresAt: null,
      lastUsedAt: null,
      lastUsedFrom: null,
      createdAt: new Date().toISOString(),
    };
    kit.answer('auth.api-keys.create', () => ({ apiKey, secret }));
    const res = await request(kit.url)
      .post('/api/v1/me/api-keys')
      .set(await kit.bearer(actor))
      .send({ name: 'deploy bot', permissions: ['control.start'], allowedIps: ['10.0.0.0/8'] })
      .expect(201);
    expect(res.body.secret).toBe(secret);
    const entries = await recorded(actor);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'apikey.create',
        serverId: null,
        details: {
          keyId: apiKey.id,
          name: 'deploy bot',
          permissions: ['control.start'],
          allowedIps: ['10.0.0.0/8'],
          expiresAt: null,
        },
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain('never-logged');
  });

  it('records an admin’s suspension of a user, with the reason', async () => {
    const admin = anActor('admin');
    const userId = randomUUID();
    await request(kit.url)
      .post(`/api/v1/admin/users/${userId}/suspend`)
      .set(await kit.bearer(admin))
      .send({ reason: 'chargeback' })
      .expect(200);
    expect(await recorded(admin)).toEqual([
      expect.objectContaining({
        action: 'admin.user.suspend',
        serverId: null,
        subjectUserId: userId,
        details: { reason: 'chargeback' },
      }),
    ]);
  });

  it('records nothing for an action that was refused, invalid or failed', async () => {
    const actor = anActor();
    const auth = await kit.bearer(actor);
    const serverId = randomUUID();
    await request(kit.url).post(`/api/v1/servers/${serverId}/power`).set(auth).send({ action: 'explode' }).expect(400);
    await request(kit.url).post(`/api/v1/admin/users/${randomUUID()}/suspend`).set(auth).send({}).expect(403);
    kit.answer('servers.power', () => {
      throw new DomainError('CONFLICT', 'the server is being deleted');
    });
    await request(kit.url).post(`/api/v1/servers/${serverId}/power`).set(auth).send({ action: 'start' }).expect(409);
    expect(await recorded(actor)).toEqual([]);
    kit.answer('servers.power', ({ serverId: id }) => aServer({ id, status: 'starting' }));
  });

  // Last: it takes the namespace's stream away.
  it('still answers a done action when the log cannot be written, and counts the failure', async () => {
    const failures = async () => {
      const metrics = await request(kit.url).get('/metrics').expect(200);
      const line = metrics.text
        .split('\n')
        .find((l) => l.startsWith('gateway_activity_publish_failures_total{') && l.includes('action="server.create"'));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const before = await failures();
    await kit.stream.delete();
    const res = await request(kit.url)
      .post('/api/v1/servers')
      .set(await kit.bearer(anActor()))
      .send(create)
      .expect(202);
    expect(res.body.name).toBe(create.name);
    expect(await failures()).toBe(before + 1);
  });
});
