import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { type AuthHarness, startAuth, uniqueSource } from './auth-test.spec-support.js';

describe('auth sessions over NATS', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await startAuth();
  });
  afterAll(() => auth.close());

  const login = () => auth.signUp();
  const refresh = (refreshToken: string) => auth.rpc.request('auth.refresh', { refreshToken, source: uniqueSource() });

  it('signs a 15-minute EdDSA access token that the published keys verify', async () => {
    const session = await login();
    const jwks = await auth.rpc.request('auth.jwks', {});
    for (const key of jwks.keys) expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys.some((key) => 'd' in key)).toBe(false);

    const { payload, protectedHeader } = await jwtVerify(session.accessToken, createLocalJWKSet(jwks), {
      issuer: 'blockplane-auth',
      audience: 'blockplane-api',
      typ: 'at+jwt',
      algorithms: ['EdDSA'],
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ sub: session.user.id, role: 'user' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(15 * 60);
    expect(session).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(session.refreshToken).toMatch(/^[\w-]{43}$/);
    const ttlDays = (Date.parse(session.refreshExpiresAt) - Date.now()) / 86_400_000;
    expect(ttlDays).toBeGreaterThan(29.9);
    expect(ttlDays).toBeLessThanOrEqual(30);
  });

  it('rotates the refresh token, and a reused one revokes the whole family', async () => {
    const first = await login();
    const second = await refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.user.id).toBe(first.user.id);
    expect(decodeProtectedHeader(second.accessToken).typ).toBe('at+jwt');
    const third = await refresh(second.refreshToken);

    await expect(refresh(first.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // The thief's copy and the owner's newest token die together.
    await expect(refresh(third.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('lets exactly one of ten concurrent refreshes with one token succeed', async () => {
    const session = await login();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => refresh(session.refreshToken)));
    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(succeeded).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('refuses tokens it never issued', async () => {
    await expect(refresh('not-a-token-we-issued')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'invalid or expired refresh token',
    });
  });

  it('logs out: the family is revoked, and logging out again is harmless', async () => {
    const session = await login();
    const rotated = await refresh(session.refreshToken);
    expect(await auth.rpc.request('auth.logout', { refreshToken: session.refreshToken })).toEqual({});
    await expect(refresh(rotated.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await auth.rpc.request('auth.logout', { refreshToken: rotated.refreshToken })).toEqual({});
    expect(await auth.rpc.request('auth.logout', { refreshToken: 'unknown' })).toEqual({});
  });
});
