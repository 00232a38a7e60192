import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { testEnv, waitFor } from '@blockplane/testing';
import { type AuthHarness, startAuth, strongPassword, uniqueEmail } from './auth-test.spec-support.js';

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

  it('registers with the default quota, logs in and answers who the caller is', async () => {
    const email = uniqueEmail();
    const user = await auth.rpc.request('auth.register', {
      email: `  ${email.toUpperCase()} `,
      password: strongPassword,
    });
    expect(user).toMatchObject({
      email,
      role: 'user',
      quota: { maxServers: 3, maxCpuCores: 4, maxMemoryMb: 8192, maxDiskGb: 40 },
    });

    const session = await auth.rpc.request('auth.login', { email, password: strongPassword, source: '127.0.0.1' });
    expect(session.user).toEqual(user);
    expect(decodeJwt(session.accessToken).sub).toBe(user.id);

    expect(await auth.rpc.request('auth.me', { actor: { userId: user.id, role: 'user' } })).toEqual(user);
  });

  it('refuses a second account for one mailbox, however it is spelled, without saying more', async () => {
    const email = uniqueEmail();
    await auth.rpc.request('auth.register', { email, password: strongPassword });
    for (const spelling of [email, ` ${email.toUpperCase()}  `]) {
      await expect(
        auth.rpc.request('auth.register', { email: spelling, password: 'another long password' }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
        message: 'an account with this email already exists',
      });
    }
  });

  it('refuses a password shorter than 12 characters by the schema', async () => {
    await expect(
      auth.rpc.request('auth.register', { email: uniqueEmail(), password: 'short pass' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const email = uniqueEmail();
    await auth.rpc.request('auth.register', { email, password: strongPassword });
    const wrongPassword = await auth.rpc
      .request('auth.login', { email, password: 'not the password', source: 'test' })
      .catch((error: unknown) => error);
    const unknownEmail = await auth.rpc
      .request('auth.login', { email: uniqueEmail(), password: strongPassword, source: 'test' })
      .catch((error: unknown) => error);
    expect(wrongPassword).toMatchObject({ code: 'UNAUTHENTICATED', message: 'invalid email or password' });
    expect(unknownEmail).toMatchObject({ code: 'UNAUTHENTICATED', message: 'invalid email or password' });
  });

  it('answers NOT_FOUND for an account that does not exist', async () => {
    await expect(auth.rpc.request('auth.me', { actor: { userId: randomUUID(), role: 'user' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('announces a registration exactly once, through the outbox', async () => {
    const first = await auth.rpc.request('auth.register', { email: uniqueEmail(), password: strongPassword });
    const second = await auth.rpc.request('auth.register', { email: uniqueEmail(), password: strongPassword });
    // The relay keeps staging order: once the second is out, every copy of the first would be too.
    await waitFor('the second registration on JetStream', async () =>
      (await auth.published('user.registered')).some((event) => event.data.userId === second.id),
    );
    const events = (await auth.published('user.registered')).filter((event) => event.data.userId === first.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toEqual({ userId: first.id, role: 'user', quota: first.quota });
  });

  it('lets only admins set a quota, and announces the new quota', async () => {
    const user = await auth.rpc.request('auth.register', { email: uniqueEmail(), password: strongPassword });
    await expect(
      auth.rpc.request('auth.set-quota', { actor: { userId: user.id, role: 'user' }, userId: user.id, quota }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const admin = { userId: randomUUID(), role: 'admin' as const };
    expect(await auth.rpc.request('auth.set-quota', { actor: admin, userId: user.id, quota })).toMatchObject({ quota });
    expect((await auth.rpc.request('auth.me', { actor: { userId: user.id, role: 'user' } })).quota).toEqual(quota);
    const [event, ...more] = await waitFor('user.quota-changed on JetStream', async () => {
      const events = (await auth.published('user.quota-changed')).filter((e) => e.data.userId === user.id);
      return events.length > 0 && events;
    });
    expect(event?.data).toEqual({ userId: user.id, quota });
    expect(more).toHaveLength(0);

    await expect(
      auth.rpc.request('auth.set-quota', { actor: admin, userId: randomUUID(), quota }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates the first admin with an explicit command, and promotes an existing account', async () => {
    const email = uniqueEmail();
    const created = await createAdmin(['--email', email], { ADMIN_PASSWORD: strongPassword });
    expect(created).toMatchObject({ code: 0, stdout: `create-admin: created admin ${email}\n` });
    const session = await auth.rpc.request('auth.login', { email, password: strongPassword, source: 'test' });
    expect(session.user.role).toBe('admin');
    expect(decodeJwt(session.accessToken).role).toBe('admin');
    await waitFor('the admin’s user.registered', async () =>
      (await auth.published('user.registered')).some(
        (e) => e.data.userId === session.user.id && e.data.role === 'admin',
      ),
    );

    const user = await auth.rpc.request('auth.register', { email: uniqueEmail(), password: strongPassword });
    const promoted = await createAdmin(['--email', user.email], {}, `${strongPassword}\n`);
    expect(promoted).toMatchObject({ code: 0, stdout: `create-admin: promoted admin ${user.email}\n` });
    expect((await auth.rpc.request('auth.me', { actor: { userId: user.id, role: 'user' } })).role).toBe('admin');
    await waitFor('the promotion’s user.quota-changed', async () =>
      (await auth.published('user.quota-changed')).some((e) => e.data.userId === user.id),
    );
  });

  it('never creates an admin without a password', async () => {
    const refused = await createAdmin(['--email', uniqueEmail()], {}, '');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('at least 12 characters');
  });
});
