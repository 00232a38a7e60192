import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { type Actor, DomainError, type Session } from '@blockplane/contracts';
import { aSession, aUser, GatewayTestKit } from '../testing/gateway-test-kit.js';

const credentials = { email: ' Alex@Example.COM ', password: 'correct horse battery' };
const browser = { Origin: 'https://panel.example.com' };

/** The refresh cookie's value and attributes from a Set-Cookie list. */
function refreshCookie(setCookie: unknown): { value: string; attributes: string[] } | undefined {
  const cookies = Array.isArray(setCookie) ? setCookie.map(String) : [];
  const found = cookies.find((cookie) => cookie.startsWith('__Host-blockplane_refresh='));
  if (found === undefined) return undefined;
  const [pair = '', ...attributes] = found.split(/;\s*/);
  return { value: decodeURIComponent(pair.slice(pair.indexOf('=') + 1)), attributes };
}

describe('gateway accounts routes', () => {
  let kit: GatewayTestKit;
  let session: Session;

  beforeAll(async () => {
    // Behind a proxy on loopback: the caller's address comes from X-Forwarded-For.
    kit = await GatewayTestKit.start({ TRUST_PROXY: 'loopback', CORS_ORIGINS: browser.Origin });
    kit.answer('auth.register', () => ({ message: 'If this email can be used, the account is ready: log in' }));
    kit.answer('auth.login', () => session);
    kit.answer('auth.refresh', () => session);
    kit.answer('auth.logout', () => ({}));
  });
  beforeEach(() => {
    session = aSession();
  });
  afterAll(() => kit.close());

  it('registers: 202 with auth’s message, the email normalised by the contract schema, with the caller’s address', async () => {
    const res = await request(kit.url)
      .post('/api/v1/auth/register')
      .set('X-Forwarded-For', '203.0.113.7')
      .send(credentials)
      .expect(202);
    expect(res.body).toEqual({ message: 'If this email can be used, the account is ready: log in' });
    expect(kit.last('auth.register')).toEqual({
      email: 'alex@example.com',
      password: credentials.password,
      source: '203.0.113.7',
    });
  });

  it('asks auth for a password reset (202) and confirms one (204), with the caller’s address', async () => {
    kit.answer('auth.password-reset.request', () => ({}));
    kit.answer('auth.password-reset.confirm', () => ({}));
    await request(kit.url).post('/api/v1/auth/password-reset').send({ email: credentials.email }).expect(202);
    expect(kit.last('auth.password-reset.request')).toEqual({ email: 'alex@example.com', source: '127.0.0.1' });
    const confirm = { token: 'single-use', password: 'a brand new passphrase' };
    await request(kit.url).post('/api/v1/auth/password-reset/confirm').send(confirm).expect(204);
    expect(kit.last('auth.password-reset.confirm')).toEqual({ ...confirm, source: '127.0.0.1' });
    const bad = await request(kit.url)
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: 'single-use', password: 'short' })
      .expect(400);
    expect(bad.body.error.details).toEqual([{ path: 'password', message: 'must be at least 12 characters' }]);
  });

  it('refuses a short password and unknown fields with field-level details, without asking auth', async () => {
    const before = kit.received.get('auth.register')?.length ?? 0;
    const res = await request(kit.url)
      .post('/api/v1/auth/register')
      .send({ email: 'not-an-email', password: 'short', role: 'admin' })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'email', message: 'must be an email address' },
        { path: 'password', message: 'must be at least 12 characters' },
        { path: 'role', message: 'is not a known field' },
      ]),
    );
    expect(kit.received.get('auth.register')?.length ?? 0).toBe(before);
  });

  it('gives an API client the whole session in the body and no cookie', async () => {
    const res = await request(kit.url)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', '203.0.113.9')
      .send(credentials)
      .expect(200);
    expect(res.body).toEqual(session);
    expect(refreshCookie(res.headers['set-cookie'])).toBeUndefined();
    expect(kit.last('auth.login')).toEqual({
      email: 'alex@example.com',
      password: credentials.password,
      source: '203.0.113.9',
    });
  });

  it('gives a browser the refresh token only in a __Host- cookie', async () => {
    const res = await request(kit.url).post('/api/v1/auth/login').set(browser).send(credentials).expect(200);
    const { refreshToken, ...rest } = session;
    expect(res.body).toEqual(rest);
    const cookie = refreshCookie(res.headers['set-cookie']);
    expect(cookie?.value).toBe(refreshToken);
    expect(cookie?.attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict']));
    const maxAge = Number(cookie?.attributes.find((a) => a.startsWith('Max-Age='))?.slice('Max-Age='.length));
    expect(Math.abs(maxAge - 30 * 86_400)).toBeLessThan(5);
  });

  it('refreshes a browser from its cookie, and an API client from the body', async () => {
    const old = `refresh-${randomUUID()}`;
    const fromCookie = await request(kit.url)
      .post('/api/v1/auth/refresh')
      .set(browser)
      .set('Cookie', `__Host-blockplane_refresh=${old}`)
      .send({})
      .expect(200);
    expect(kit.last('auth.refresh')?.refreshToken).toBe(old);
    expect(fromCookie.body.refreshToken).toBeUndefined();
    expect(refreshCookie(fromCookie.headers['set-cookie'])?.value).toBe(session.refreshToken);

    const fromBody = await request(kit.url).post('/api/v1/auth/refresh').send({ refreshToken: old }).expect(200);
    expect(kit.last('auth.refresh')).toEqual({ refreshToken: old, source: '127.0.0.1' });
    expect(fromBody.body.refreshToken).toBe(session.refreshToken);
  });

  it('answers 401 to a refresh without a token, and passes auth’s refusal through', async () => {
    await request(kit.url).post('/api/v1/auth/refresh').send({}).expect(401);
    kit.answer('auth.refresh', () => {
      throw new DomainError('UNAUTHENTICATED', 'refresh token was revoked');
    });
    const res = await request(kit.url).post('/api/v1/auth/refresh').send({ refreshToken: 'reused' }).expect(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'refresh token was revoked' } });
    kit.answer('auth.refresh', () => session);
  });

  it('logs out: 204, the token revoked at auth and the cookie cleared', async () => {
    const res = await request(kit.url)
      .post('/api/v1/auth/logout')
      .set(browser)
      .set('Cookie', '__Host-blockplane_refresh=from-cookie')
      .expect(204);
    expect(kit.last('auth.logout')).toEqual({ refreshToken: 'from-cookie' });
    expect(refreshCookie(res.headers['set-cookie'])?.value).toBe('');
    await request(kit.url).post('/api/v1/auth/logout').send({ refreshToken: 'from-body' }).expect(204);
    expect(kit.last('auth.logout')).toEqual({ refreshToken: 'from-body' });
  });

  describe('CSRF: the refresh cookie counts only from the panel’s own pages', () => {
    const cookie = { Cookie: '__Host-blockplane_refresh=stolen-by-a-form' };

    it.each([
      ['a foreign origin', { Origin: 'https://evil.example' }],
      ['no Origin and a cross-site Sec-Fetch-Site', { 'Sec-Fetch-Site': 'cross-site' }],
      ['neither Origin nor Sec-Fetch-Site', {}],
    ])('refuses a cookie refresh and logout from %s with 403, without asking auth', async (_, headers) => {
      const before = [kit.received.get('auth.refresh')?.length, kit.received.get('auth.logout')?.length];
      for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
        const res = await request(kit.url).post(path).set(cookie).set(headers).send({}).expect(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      expect([kit.received.get('auth.refresh')?.length, kit.received.get('auth.logout')?.length]).toEqual(before);
    });

    it('accepts the cookie from a same-origin page that sends no Origin', async () => {
      await request(kit.url)
        .post('/api/v1/auth/refresh')
        .set({ ...cookie, 'Sec-Fetch-Site': 'same-origin' })
        .send({})
        .expect(200);
      expect(kit.last('auth.refresh')?.refreshToken).toBe('stolen-by-a-form');
    });
  });

  it('answers GET me with the caller’s user', async () => {
    const actor: Actor = { userId: randomUUID(), role: 'user' };
    kit.answer('auth.me', ({ actor: asking }) => aUser({ id: asking.userId }));
    const res = await request(kit.url)
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${await kit.token({ actor })}`)
      .expect(200);
    expect(res.body.id).toBe(actor.userId);
  });
});
