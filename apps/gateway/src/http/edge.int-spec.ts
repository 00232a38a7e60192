import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DomainError } from '@blockplane/contracts';
import { aSession, GatewayTestKit } from '../testing/gateway-test-kit.js';

const panel = 'https://panel.example.com';
const foreign = 'https://evil.example';
const securityHeaders = {
  'strict-transport-security': expect.stringMatching(/^max-age=\d{7,}/),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
};

describe('gateway edge: headers, CORS, rate limits', () => {
  let kit: GatewayTestKit;

  beforeAll(async () => {
    kit = await GatewayTestKit.start({ CORS_ORIGINS: `${panel},http://localhost:5173` });
    kit.answer('auth.login', () => aSession());
  });
  afterAll(() => kit.close());

  describe('security headers', () => {
    it.each([
      ['a success', () => request(kit.url).get('/healthz'), 200],
      ['a refusal', () => request(kit.url).get('/api/v1/me'), 401],
      ['an unknown path', () => request(kit.url).get('/nowhere'), 404],
      [
        'malformed JSON, refused by the body parser',
        () => request(kit.url).post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"x'),
        400,
      ],
      [
        'a body over the limit',
        () =>
          request(kit.url)
            .post('/api/v1/auth/login')
            .send({ email: 'a@example.com', password: 'x'.repeat(70 * 1024) }),
        413,
      ],
    ])('are on %s, and X-Powered-By is not', async (_, send, status) => {
      const res = await send().expect(status);
      expect(res.headers).toMatchObject(securityHeaders);
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('CORS', () => {
    it('answers a preflight from a configured origin, credentials allowed', async () => {
      const res = await request(kit.url)
        .options('/api/v1/servers')
        .set({
          Origin: panel,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization',
        })
        .expect(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': panel,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': expect.stringContaining('DELETE'),
        'access-control-allow-headers': expect.stringContaining('Authorization'),
        vary: expect.stringContaining('Origin'),
      });
    });

    it('lets a configured origin read answers, Retry-After and the trace id included', async () => {
      const res = await request(kit.url).get('/api/v1/me').set('Origin', panel).expect(401);
      expect(res.headers['access-control-allow-origin']).toBe(panel);
      expect(res.headers['access-control-expose-headers']).toContain('Retry-After');
    });

    it('refuses a preflight from any other origin, and gives its pages no CORS headers', async () => {
      const preflight = await request(kit.url)
        .options('/api/v1/servers')
        .set({ Origin: foreign, 'Access-Control-Request-Method': 'POST' })
        .expect(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.body.error.code).toBe('FORBIDDEN');
      const read = await request(kit.url).get('/healthz').set('Origin', foreign).expect(200);
      expect(read.headers['access-control-allow-origin']).toBeUndefined();
      expect(read.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('refuses a state-changing request from another origin before anything is asked of auth', async () => {
      const before = kit.received.get('auth.login')?.length ?? 0;
      const res = await request(kit.url)
        .post('/api/v1/auth/login')
        .set('Origin', foreign)
        .send({ email: 'a@example.com', password: 'x' })
        .expect(403);
      expect(res.body.error).toEqual({ code: 'FORBIDDEN', message: 'origin not allowed' });
      expect(kit.received.get('auth.login')?.length ?? 0).toBe(before);
      await request(kit.url)
        .post('/api/v1/auth/login')
        .set('Origin', 'http://localhost:5173')
        .send({ email: 'a@example.com', password: 'x' })
        .expect(200);
    });

    it('has no CORS at all when no origin is configured', async () => {
      const closed = await GatewayTestKit.start();
      try {
        await request(closed.url)
          .options('/api/v1/servers')
          .set({ Origin: panel, 'Access-Control-Request-Method': 'GET' })
          .expect(403);
        const res = await request(closed.url).get('/healthz').set('Origin', panel).expect(200);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        await closed.close();
      }
    });
  });

  describe('rate limits', () => {
    it('answers auth’s RATE_LIMITED with 429 and Retry-After in whole seconds', async () => {
      kit.answer('auth.login', () => {
        throw new DomainError('RATE_LIMITED', 'too many attempts, try again later', { retryAfterSeconds: 41.2 });
      });
      const res = await request(kit.url)
        .post('/api/v1/auth/login')
        .send({ email: `${randomUUID()}@example.com`, password: 'x' })
        .expect(429);
      expect(res.headers['retry-after']).toBe('42');
      expect(res.body.error).toEqual({
        code: 'RATE_LIMITED',
        message: 'too many attempts, try again later',
        details: { retryAfterSeconds: 41.2 },
      });
    });
  });
});
