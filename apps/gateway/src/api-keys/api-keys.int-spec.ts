import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { type Actor, type ApiKey, DomainError } from '@blockplane/contracts';
import { GatewayTestKit } from '../testing/gateway-test-kit.js';

const actor: Actor = { userId: randomUUID(), role: 'user' };
const anApiKey = (overrides: Partial<ApiKey> = {}): ApiKey => ({
  id: randomUUID(),
  name: 'deploy bot',
  prefix: 'bp_1a2b3c',
  permissions: ['control.start'],
  allowedIps: [],
  expiresAt: null,
  lastUsedAt: null,
  lastUsedFrom: null,
  createdAt: new Date().toISOString(),
  ...overrides,
});

describe('gateway API key routes', () => {
  let kit: GatewayTestKit;
  let auth: { Authorization: string };

  beforeAll(async () => {
    kit = await GatewayTestKit.start();
    auth = await kit.bearer(actor);
  });
  afterAll(() => kit.close());

  it('lists the caller’s keys, creates one (201, the secret shown once) and revokes one (204)', async () => {
    const key = anApiKey();
    kit.answer('auth.api-keys.list', () => [key]);
    kit.answer('auth.api-keys.create', ({ name, permissions }) => ({
      apiKey: anApiKey({ name, permissions }),
      secret: 'bp_1a2b3c_secret',
    }));
    kit.answer('auth.api-keys.revoke', () => ({}));

    await request(kit.url).get('/api/v1/me/api-keys').set(auth).expect(200, [key]);
    expect(kit.last('auth.api-keys.list')).toEqual({ actor });

    const body = { name: ' ci ', permissions: ['control.start', 'control.stop'], expiresAt: '2030-01-01T00:00:00Z' };
    const created = await request(kit.url).post('/api/v1/me/api-keys').set(auth).send(body).expect(201);
    expect(created.body).toMatchObject({ apiKey: { name: 'ci' }, secret: 'bp_1a2b3c_secret' });
    expect(kit.last('auth.api-keys.create')).toEqual({ actor, ...body, name: 'ci' });

    await request(kit.url).delete(`/api/v1/me/api-keys/${key.id}`).set(auth).expect(204);
    expect(kit.last('auth.api-keys.revoke')).toEqual({ actor, keyId: key.id });
  });

  it('refuses bad keys with field-level details and a non-UUID id with 404, asking nobody', async () => {
    const before = kit.received.get('auth.api-keys.create')?.length ?? 0;
    const res = await request(kit.url)
      .post('/api/v1/me/api-keys')
      .set(auth)
      .send({ name: '', permissions: ['root'], allowedIps: ['example.com'] })
      .expect(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(
      ['allowedIps.0', 'name', 'permissions.0'].sort(),
    );
    await request(kit.url).delete('/api/v1/me/api-keys/42').set(auth).expect(404);
    expect(kit.received.get('auth.api-keys.create')?.length ?? 0).toBe(before);
  });

  it('passes auth’s answer for someone else’s key through: 404', async () => {
    kit.answer('auth.api-keys.revoke', () => {
      throw new DomainError('NOT_FOUND', 'API key not found');
    });
    await request(kit.url).delete(`/api/v1/me/api-keys/${randomUUID()}`).set(auth).expect(404);
  });
});
