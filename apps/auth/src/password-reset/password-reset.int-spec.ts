import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import {
  type AuthHarness,
  CapturingMailer,
  startAuth,
  strongPassword,
  uniqueEmail,
  uniqueSource,
} from '../auth-test.spec-support.js';
import { hashSecret } from '../secrets/secret-token.js';
import { PASSWORD_RESET_CONFIG } from './mailer.js';
import type { PasswordResetConfig } from './password-reset.section.js';

const newPassword = 'a brand new passphrase';
const invalidLink = { code: 'VALIDATION_FAILED', message: 'the reset link is invalid or has expired' };

describe('password reset over NATS', () => {
  let auth: AuthHarness;
  const mailer = new CapturingMailer();

  beforeAll(async () => {
    auth = await startAuth({ mailer });
  });
  afterAll(() => auth.close());

  const requestReset = (email: string) =>
    auth.rpc.request('auth.password-reset.request', { email, source: uniqueSource() });
  const confirm = (token: string, password = newPassword) =>
    auth.rpc.request('auth.password-reset.confirm', { token, password, source: uniqueSource() });
  const login = (email: string, password: string) =>
    auth.rpc.request('auth.login', { email, password, source: uniqueSource() });
  const refresh = (refreshToken: string) => auth.rpc.request('auth.refresh', { refreshToken, source: uniqueSource() });

  it('mails a single-use link that sets a new password and ends every session', async () => {
    const session = await auth.signUp();
    const { email } = session.user;
    expect(await requestReset(email)).toEqual({});
    const [token = ''] = await mailer.tokensFor(email);
    expect(token).toMatch(/^[\w-]{43}$/);

    expect(await confirm(token)).toEqual({});
    expect((await login(email, newPassword)).user.id).toBe(session.user.id);
    await expect(login(email, strongPassword)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(refresh(session.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    await expect(confirm(token, 'yet another passphrase')).rejects.toMatchObject(invalidLink);
    expect((await login(email, newPassword)).user.id).toBe(session.user.id);
  });

  it('answers alike for an unknown email, and mails nothing', async () => {
    const unknown = uniqueEmail();
    expect(await requestReset(unknown)).toEqual({});
    // Mails go out in request order: once a later one has, none came for the unknown address.
    const { email } = (await auth.signUp()).user;
    await requestReset(email);
    await mailer.tokensFor(email);
    expect(mailer.sent.some((mail) => mail.email === unknown)).toBe(false);
  });

  it('stores only a hash of the token, which lives as configured (30 minutes by default)', async () => {
    const { email, id } = (await auth.signUp()).user;
    await requestReset(email);
    const [token = ''] = await mailer.tokensFor(email);
    const em = auth.service.app.get(MikroORM).em;
    const rows = await em.getConnection().execute<{ token_hash: string; minutes: number }[]>(
      `select token_hash, extract(epoch from expires_at - created_at)::float8 / 60 as minutes
           from auth.password_reset_token where user_id = ?`,
      [id],
    );
    const { ttlMinutes } = auth.service.app.get<PasswordResetConfig>(PASSWORD_RESET_CONFIG);
    expect(ttlMinutes).toBe(30);
    expect(rows).toEqual([{ token_hash: hashSecret(token), minutes: expect.closeTo(ttlMinutes, 3) }]);
  });

  it('voids the previous link when a new one is asked for', async () => {
    const { email } = (await auth.signUp()).user;
    await requestReset(email);
    await mailer.tokensFor(email, 1);
    await requestReset(email);
    const [first = '', second = ''] = await mailer.tokensFor(email, 2);
    await expect(confirm(first)).rejects.toMatchObject(invalidLink);
    expect(await confirm(second)).toEqual({});
  });

  it('refuses an expired link and one it never issued with the same answer', async () => {
    const { email, id } = (await auth.signUp()).user;
    await requestReset(email);
    const [token = ''] = await mailer.tokensFor(email);
    const em = auth.service.app.get(MikroORM).em;
    await em
      .getConnection()
      .execute(`update auth.password_reset_token set expires_at = now() - interval '1 second' where user_id = ?`, [id]);
    await expect(confirm(token)).rejects.toMatchObject(invalidLink);
    await expect(confirm('never-issued')).rejects.toMatchObject(invalidLink);
    expect((await login(email, strongPassword)).user.id).toBe(id);
  });

  it('applies the password policy to the new password', async () => {
    await expect(confirm('whatever', 'short')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
