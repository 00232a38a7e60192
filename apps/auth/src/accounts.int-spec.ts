import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import type { QuotaDefaultsConfig } from '@blockplane/config';
import { testEnv, waitFor } from '@blockplane/testing';
import {
  actorOf,
  type AuthHarness,
  startAuth,
  strongPassword,
  uniqueEmail,
  uniqueSource,
} from './auth-test.spec-support.js';
import { QUOTA_DEFAULTS } from './users/users.service.js';

const createAdminScript = fileURLToPath(new URL('../dist/create-admin.js', import.meta.url));
const quota = { maxServers: 7, maxCpuCores: 6.5, maxMemoryMb: 16_384, maxDiskGb: 100 };

describe('auth accounts over NATS', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await startAuth();
  });
  afterAll(() => auth.close());

  /** Runs the create-admin command as an operator would, against the test database and this namespace. */
  function createAdmin(args: string[], env: Record<string, string>, stdin = '') {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [createAdminScript, ...args],
        {
          env: {
            PATH: process.env['PATH'] ?? '',
            DATABASE_URL: testEnv.databaseUrl,
            NATS_NAMESPACE: auth.service.namespace,
            ...env,
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(stdin);
    });
  }

  const register = (email: string, password = strongPassword, source = uniqueSource()) =>
    auth.rpc.request('auth.register', { email, password, source });
  const login = (email: string, password = strongPassword, source = uniqueSource()) =>
    auth.rpc.request('auth.login', { email, password, source });

  it('registers with the default quota, logs in and answers who the caller is', async () => {
    const email = uniqueEmail();
    await register(`  ${email.toUpperCase()} `);

    const session = await login(email);
    expect(session.user).toMatchObject({
      email,
      role: 'user',
      quota: auth.service.app.get<QuotaDefaultsConfig>(QUOTA_DEFAULTS),
    });
    expect(decodeJwt(session.accessToken).sub).toBe(session.user.id);
    expect(await auth.rpc.request('auth.me', { actor: actorOf(session) })).toEqual(session.user);
  });

  it('answers a new and a taken email alike, and announces only the new account, once', async () => {
    const email = uniqueEmail();
    const first = await register(email);
    const again = await register(` ${email.toUpperCase()}  `, 'another long password');
    expect(again).toEqual(first);
    expect(first.message).toEqual(expect.any(String));

    // The second registration changed nothing: the first password still opens the account.
    const session = await login(email);
    await expect(login(email, 'another long password')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    // The relay keeps staging order: once a later event is out, every copy of the first would be too.
    const later = await auth.signUp();
    await waitFor('the later registration on JetStream', async () =>
      (await auth.published('user.registered')).some((event) => event.data.userId === later.user.id),
    );
    const events = (await auth.published('user.registered')).filter((event) => event.data.email === email);
    expect(events.map((event) => event.data)).toEqual([
      { userId: session.user.id, email, role: 'user', quota: session.user.quota },
    ]);
  });

  it('refuses a password shorter than 12 characters by the schema', async () => {
    await expect(register(uniqueEmail(), 'short pass')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const { user } = await auth.signUp();
    const wrongPassword = await login(user.email, 'not the password').catch((error: unknown) => error);
    const unknownEmail = await login(uniqueEmail()).catch((error: unknown) => error);
    expect(wrongPassword).toMatchObject({ code: 'UNAUTHENTICATED', message: 'invalid email or password' });
    expect(unknownEmail).toMatchObject({ code: 'UNAUTHENTICATED', message: 'invalid email or password' });
  });

  it('answers NOT_FOUND for an account that does not exist', async () => {
    await expect(auth.rpc.request('auth.me', { actor: { userId: randomUUID(), role: 'user' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('tells the gateway an account’s current role and standing', async () => {
    const { user } = await auth.signUp();
    expect(await auth.rpc.request('auth.principal', { userId: user.id })).toEqual({
      userId: user.id,
      role: 'user',
      status: 'active',
    });
    await expect(auth.rpc.request('auth.principal', { userId: randomUUID() })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('lets only admins set a quota, and announces the new quota', async () => {
    const session = await auth.signUp();
    const userId = session.user.id;
    await expect(auth.rpc.request('auth.set-quota', { actor: actorOf(session), userId, quota })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    const admin = { userId: randomUUID(), role: 'admin' as const };
    expect(await auth.rpc.request('auth.set-quota', { actor: admin, userId, quota })).toMatchObject({ quota });
    expect((await auth.rpc.request('auth.me', { actor: actorOf(session) })).quota).toEqual(quota);
    const [event, ...more] = await waitFor('user.quota-changed on JetStream', async () => {
      const events = (await auth.published('user.quota-changed')).filter((e) => e.data.userId === userId);
      return events.length > 0 && events;
    });
    expect(event?.data).toEqual({ userId, quota });
    expect(more).toHaveLength(0);

    await expect(
      auth.rpc.request('auth.set-quota', { actor: admin, userId: randomUUID(), quota }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates the first admin with an explicit command, and promotes an existing account', async () => {
    const email = uniqueEmail();
    const created = await createAdmin(['--email', email], { ADMIN_PASSWORD: strongPassword });
    expect(created).toMatchObject({ code: 0, stdout: `create-admin: created admin ${email}\n` });
    const session = await login(email);
    expect(session.user.role).toBe('admin');
    expect(decodeJwt(session.accessToken).role).toBe('admin');
    await waitFor('the admin’s user.registered', async () =>
      (await auth.published('user.registered')).some(
        (e) => e.data.userId === session.user.id && e.data.role === 'admin' && e.data.email === email,
      ),
    );

    const { user } = await auth.signUp();
    const promoted = await createAdmin(['--email', user.email], {}, `${strongPassword}\n`);
    expect(promoted).toMatchObject({ code: 0, stdout: `create-admin: promoted admin ${user.email}\n` });
    expect((await auth.rpc.request('auth.principal', { userId: user.id })).role).toBe('admin');
    await waitFor('the promotion’s user.role-changed', async () =>
      (await auth.published('user.role-changed')).some((e) => e.data.userId === user.id && e.data.role === 'admin'),
    );
  });

  it('never creates an admin without a password', async () => {
    const refused = await createAdmin(['--email', uniqueEmail()], {}, '');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('at least 12 characters');
  });
});
