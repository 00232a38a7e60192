import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { type Actor, API_KEY_PREFIX, type CreateApiKeyRequest } from '@blockplane/contracts';
import { waitFor } from '@blockplane/testing';
import { actorOf, type AuthHarness, startAuth, uniqueSource } from '../auth-test.spec-support.js';
import { MAX_API_KEYS_PER_USER } from './api-keys.service.js';

const invalidKey = { code: 'UNAUTHENTICATED', message: 'invalid API key' };

describe('API keys over NATS', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await startAuth();
  });
  afterAll(() => auth.close());

  async function owner(): Promise<Actor> {
    return actorOf(await auth.signUp());
  }
  const create = (actor: Actor, request: Partial<CreateApiKeyRequest> = {}) =>
    auth.rpc.request('auth.api-keys.create', {
      actor,
      name: 'deploy bot',
      permissions: ['control.console'],
      ...request,
    });
  const verify = (key: string, source = uniqueSource()) => auth.rpc.request('auth.verify-api-key', { key, source });
  const list = (actor: Actor) => auth.rpc.request('auth.api-keys.list', { actor });
  const sql = (query: string, params: unknown[]) =>
    auth.service.app.get(MikroORM).em.getConnection().execute(query, params, 'run');

  it('creates a key shown once, verifies it as its owner limited to its permissions, and revokes it', async () => {
    const actor = await owner();
    const { apiKey, secret } = await create(actor, {
      name: 'ci',
      permissions: ['control.start', 'control.console'],
    });
    expect(secret).toMatch(new RegExp(`^${API_KEY_PREFIX}[0-9a-f]{16}_[\\w-]{43}$`));
    expect(secret.startsWith(`${apiKey.prefix}_`)).toBe(true);
    expect(apiKey).toMatchObject({
      name: 'ci',
      permissions: ['control.console', 'control.start'],
      allowedIps: [],
      expiresAt: null,
      lastUsedAt: null,
    });

    const listed = await list(actor);
    expect(listed).toEqual([apiKey]);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(apiKey.prefix.length + 1));

    expect(await verify(secret)).toEqual({
      userId: actor.userId,
      role: 'user',
      apiKey: { id: apiKey.id, permissions: ['control.console', 'control.start'] },
    });

    expect(await auth.rpc.request('auth.api-keys.revoke', { actor, keyId: apiKey.id })).toEqual({});
    await expect(verify(secret)).rejects.toMatchObject(invalidKey);
    expect(await list(actor)).toEqual([]);
    // Announced for the gateways' open sockets, once.
    await waitFor('apikey.revoked', async () =>
      (await auth.published('apikey.revoked')).some((event) => event.data.keyId === apiKey.id),
    );
    const revoked = (await auth.published('apikey.revoked')).filter((event) => event.data.keyId === apiKey.id);
    expect(revoked.map((event) => event.data)).toEqual([{ keyId: apiKey.id, userId: actor.userId }]);
  });

  it('gives an admin’s key the user role: keys are not for the admin API', async () => {
    const actor = { ...(await owner()), role: 'admin' as const };
    const { secret } = await create(actor);
    expect(await verify(secret)).toMatchObject({ userId: actor.userId, role: 'user' });
  });

  it('answers malformed, unknown and wrong keys alike', async () => {
    const { apiKey, secret } = await create(await owner());
    const wrongSecret = `${apiKey.prefix}_${randomBytes(32).toString('base64url')}`;
    const unknown = `${API_KEY_PREFIX}${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    for (const key of ['nonsense', `${secret}x`, secret.slice(0, -1), wrongSecret, unknown]) {
      await expect(verify(key)).rejects.toMatchObject(invalidKey);
    }
  });

  it('refuses an expiry in the past, and a key once it has expired', async () => {
    const actor = await owner();
    await expect(create(actor, { expiresAt: new Date(Date.now() - 1000).toISOString() })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'expiresAt', message: 'must be in the future' }],
    });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const { apiKey, secret } = await create(actor, { expiresAt });
    expect(apiKey.expiresAt).toBe(expiresAt);
    expect((await verify(secret)).userId).toBe(actor.userId);

    await sql(`update auth.api_key set expires_at = now() - interval '1 second' where id = ?`, [apiKey.id]);
    await expect(verify(secret)).rejects.toMatchObject(invalidKey);
  });

  it('accepts a key only from its allowed addresses and blocks, IPv4 and IPv6', async () => {
    const allowedIps = ['198.51.100.7', '203.0.113.0/24', '2001:db8:abcd::/48', '2001:db8::42'];
    const { secret } = await create(await owner(), { allowedIps });
    const accepted = [
      '198.51.100.7',
      '203.0.113.200',
      '::ffff:203.0.113.5',
      '::ffff:198.51.100.7',
      '2001:db8:abcd:12::9',
      '2001:db8::42',
    ];
    const refused = [
      '198.51.100.8',
      '203.0.114.1',
      '::ffff:198.51.100.8',
      '2001:db8:abce::1',
      '2001:db8::43',
      'unknown',
      '',
    ];
    for (const source of accepted) expect((await verify(secret, source)).apiKey).toBeDefined();
    for (const source of refused) await expect(verify(secret, source)).rejects.toMatchObject(invalidKey);
  });

  it('treats another user’s key id as unknown', async () => {
    const { apiKey, secret } = await create(await owner());
    const stranger = await owner();
    for (const keyId of [apiKey.id, randomUUID()]) {
      await expect(auth.rpc.request('auth.api-keys.revoke', { actor: stranger, keyId })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    }
    expect(await list(stranger)).toEqual([]);
    expect((await auth.published('apikey.revoked')).filter((event) => event.data.userId === stranger.userId)).toEqual(
      [],
    );
    expect((await verify(secret)).apiKey?.id).toBe(apiKey.id);
  });

  it('lets no API key manage API keys', async () => {
    const actor = await owner();
    const { apiKey, secret } = await create(actor);
    const asKey = await verify(secret);
    const forbidden = { code: 'FORBIDDEN', message: 'API keys cannot manage API keys' };
    await expect(create(asKey)).rejects.toMatchObject(forbidden);
    await expect(list(asKey)).rejects.toMatchObject(forbidden);
    await expect(auth.rpc.request('auth.api-keys.revoke', { actor: asKey, keyId: apiKey.id })).rejects.toMatchObject(
      forbidden,
    );
    expect(await list(actor)).toHaveLength(1);
  });

  it('records the last use at most once a minute', async () => {
    const actor = await owner();
    const { apiKey, secret } = await create(actor);
    const [first, second, later] = [uniqueSource(), uniqueSource(), uniqueSource()];
    const lastUse = async () => (await list(actor)).find((key) => key.id === apiKey.id);

    await verify(secret, first);
    const recorded = await lastUse();
    expect(recorded).toMatchObject({ lastUsedFrom: first, lastUsedAt: expect.any(String) });
    await verify(secret, second);
    expect(await lastUse()).toEqual(recorded);

    // A minute on, the next use is recorded again.
    await sql(`update auth.api_key set last_used_at = last_used_at - interval '61 seconds' where id = ?`, [apiKey.id]);
    await verify(secret, later);
    expect((await lastUse())?.lastUsedFrom).toBe(later);
  });

  it(`holds at most ${MAX_API_KEYS_PER_USER} keys per account`, async () => {
    const actor = await owner();
    for (let i = 0; i < MAX_API_KEYS_PER_USER; i++) await create(actor, { name: `key ${i}` });
    await expect(create(actor)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await list(actor)).toHaveLength(MAX_API_KEYS_PER_USER);
  });
});
