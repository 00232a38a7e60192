import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { type Actor, DomainError } from '@blockplane/contracts';
import { aServer, aSession, aUser, GatewayTestKit } from '../testing/gateway-test-kit.js';

describe('gateway authentication', () => {
  let kit: GatewayTestKit;
  const actor: Actor = { userId: randomUUID(), role: 'admin' };

  beforeAll(async () => {
    kit = await GatewayTestKit.start();
    kit.answer('auth.me', ({ actor: asking }) => aUser({ id: asking.userId, role: asking.role }));
  });
  afterAll(() => kit.close());

  const me = (authorization?: string) => {
    const req = request(kit.url).get('/api/v1/me');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  it('passes the verified caller to the owning service as the actor', async () => {
    const res = await me(`Bearer ${await kit.token({ actor })}`).expect(200);
    expect(res.body).toMatchObject({ id: actor.userId, role: 'admin' });
    expect(kit.last('auth.me')).toEqual({ actor });
  });

  it('answers 401 with a Bearer challenge when there is no token', async () => {
    const res = await me().expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['garbage', () => Promise.resolve('not.a.jwt')],
    ['expired', () => kit.token({ actor, expiresAt: Math.floor(Date.now() / 1000) - 60 })],
    ['for another audience', () => kit.token({ actor, audience: 'someone-else' })],
    ['from another issuer', () => kit.token({ actor, issuer: 'someone-else' })],
    ['not an access token (typ)', () => kit.token({ actor, typ: 'JWT' })],
    ['signed by a key auth never published', () => kit.token({ actor, foreignKey: true })],
  ])('answers 401 invalid_token for a token that is %s', async (_, token) => {
    const before = kit.received.get('auth.me')?.length ?? 0;
    const res = await me(`Bearer ${await token()}`).expect(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(res.body).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'a valid access token or API key is required' },
    });
    expect(kit.received.get('auth.me')?.length ?? 0).toBe(before);
  });

  it('asks auth for its keys once, not per request', async () => {
    const before = kit.received.get('auth.jwks')?.length ?? 0;
    await me(`Bearer ${await kit.token()}`).expect(200);
    await me(`Bearer ${await kit.token()}`).expect(200);
    expect(kit.received.get('auth.jwks')?.length ?? 0).toBe(before);
  });

  it('lets public routes through without a token', async () => {
    kit.answer('servers.plans', () => [{ id: 'small', name: 'Small', cpuCores: 1, memoryMb: 2048, diskGb: 10 }]);
    kit.answer('servers.types', () => [{ id: 'paper', name: 'Paper', versions: ['1.21.4'] }]);
    kit.answer('auth.register', () => ({ message: 'accepted' }));
    kit.answer('auth.password-reset.request', () => ({}));
    kit.answer('auth.password-reset.confirm', () => ({}));
    kit.answer('auth.login', ({ email }) => aSession(aUser({ email })));
    await request(kit.url).get('/api/v1/plans').expect(200);
    await request(kit.url).get('/api/v1/server-types').expect(200);
    await request(kit.url)
      .post('/api/v1/auth/register')
      .send({ email: 'alex@example.com', password: 'correct horse battery' })
      .expect(202);
    await request(kit.url).post('/api/v1/auth/password-reset').send({ email: 'alex@example.com' }).expect(202);
    await request(kit.url)
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: 'reset-token', password: 'correct horse battery' })
      .expect(204);
    await request(kit.url).post('/api/v1/auth/login').send({ email: 'alex@example.com', password: 'x' }).expect(200);
    await request(kit.url).post('/api/v1/auth/logout').send({}).expect(204);
    await request(kit.url).get('/api/v1/status').expect(200);
    await request(kit.url).get('/healthz').expect(200);
    await request(kit.url).get('/readyz').expect(200);
    await request(kit.url).get('/metrics').expect(200);
  });

  it('keeps every other route closed without a token', async () => {
    const id = aServer().id;
    await request(kit.url).get('/api/v1/me/usage').expect(401);
    await request(kit.url).get('/api/v1/servers').expect(401);
    await request(kit.url).post('/api/v1/servers').send({}).expect(401);
    await request(kit.url).get(`/api/v1/servers/${id}`).expect(401);
    await request(kit.url).post(`/api/v1/servers/${id}/power`).send({ action: 'start' }).expect(401);
    await request(kit.url).delete(`/api/v1/servers/${id}`).expect(401);
    await request(kit.url).put(`/api/v1/admin/users/${id}/quota`).send({}).expect(401);
    await request(kit.url).get('/api/v1/permissions').expect(401);
    await request(kit.url).get('/api/v1/me/api-keys').expect(401);
    await request(kit.url).get(`/api/v1/servers/${id}/subusers`).expect(401);
    await request(kit.url).get('/api/v1/admin/users').expect(401);
  });

  it('reads the credential from the Authorization header only, never from the query or the body', async () => {
    const token = await kit.token();
    await request(kit.url).get(`/api/v1/me?access_token=${token}`).expect(401);
    await request(kit.url).post('/api/v1/servers').send({ access_token: token }).expect(401);
  });

  it('does not believe X-Forwarded-For unless told to trust the proxy', async () => {
    await request(kit.url)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', '203.0.113.9')
      .send({ email: 'alex@example.com', password: 'x' })
      .expect(200);
    expect(kit.last('auth.login')?.source).toMatch(/127\.0\.0\.1$/);
  });

  it('answers 503 when auth cannot give its keys, not 401', async () => {
    const fresh = await GatewayTestKit.start();
    try {
      fresh.answer('auth.jwks', () => {
        throw new DomainError('UPSTREAM_UNAVAILABLE', 'keys unavailable');
      });
      const res = await request(fresh.url)
        .get('/api/v1/me')
        .set('Authorization', `Bearer ${await fresh.token()}`)
        .expect(503);
      expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    } finally {
      await fresh.close();
    }
  });
});
