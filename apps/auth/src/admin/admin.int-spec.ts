import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor, Session } from '@blockplane/contracts';
import { StackDatabase, waitFor } from '@blockplane/testing';
import {
  actorOf,
  type AuthHarness,
  CapturingMailer,
  startAuth,
  strongPassword,
  uniqueEmail,
  uniqueSource,
} from '../auth-test.spec-support.js';

const quota = { maxServers: 1, maxCpuCores: 1, maxMemoryMb: 1024, maxDiskGb: 1 };
const suspended = { code: 'FORBIDDEN', message: 'account is suspended' };

// A database of its own: "the last active admin" counts every admin in it.
describe('the admin API over NATS', () => {
  let database: StackDatabase;
  let auth: AuthHarness;
  const mailer = new CapturingMailer();
  /** An admin the gateway vouches for, with no account here: auth trusts the actor it is given. */
  const outsider: Actor = { userId: randomUUID(), role: 'admin' };
  /** The only admin account in this database while each test starts. */
  let admin: Session;

  beforeAll(async () => {
    database = await StackDatabase.create(`blockplane_auth_admin_${randomBytes(4).toString('hex')}`);
    auth = await startAuth({ env: { DATABASE_URL: database.url }, mailer });
    admin = await auth.signUp();
    await auth.rpc.request('auth.admin.update-user', { actor: outsider, userId: admin.user.id, role: 'admin' });
    admin = await login(admin.user.email);
  }, 60_000);
  afterAll(async () => {
    await auth.close();
    await database.drop();
  });

  function login(email: string, password = strongPassword) {
    return auth.rpc.request('auth.login', { email, password, source: uniqueSource() });
  }
  const adminActor = () => actorOf(admin);
  const eventsFor = async <S extends 'user.suspended' | 'user.unsuspended' | 'user.role-changed'>(
    type: S,
    userId: string,
  ) => (await auth.published(type)).filter((event) => event.data.userId === userId).map((event) => event.data);

  it('refuses every admin request from users and from API keys, even an admin’s key', async () => {
    const { user } = await auth.signUp();
    const callers: Actor[] = [
      { userId: user.id, role: 'user' },
      { userId: user.id, role: 'user', apiKey: { id: randomUUID(), permissions: [] } },
      { ...adminActor(), apiKey: { id: randomUUID(), permissions: [] } },
    ];
    const userId = user.id;
    const adminRequests = (actor: Actor) => [
      () => auth.rpc.request('auth.admin.users', { actor, limit: 10 }),
      () => auth.rpc.request('auth.admin.user', { actor, userId }),
      () => auth.rpc.request('auth.admin.update-user', { actor, userId, role: 'admin' }),
      () => auth.rpc.request('auth.admin.suspend', { actor, userId }),
      () => auth.rpc.request('auth.admin.unsuspend', { actor, userId }),
      () => auth.rpc.request('auth.set-quota', { actor, userId, quota }),
    ];
    for (const actor of callers) {
      for (const request of adminRequests(actor)) await expect(request()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await auth.rpc.request('auth.admin.user', { actor: adminActor(), userId })).toMatchObject({
      role: 'user',
      status: 'active',
      quota: user.quota,
    });
  });

  it('suspends an account at once, everywhere, and restores it', async () => {
    const session = await auth.signUp();
    const { id: userId, email } = session.user;
    const { secret } = await auth.rpc.request('auth.api-keys.create', {
      actor: actorOf(session),
      name: 'bot',
      permissions: ['control.console'],
    });
    const verify = () => auth.rpc.request('auth.verify-api-key', { key: secret, source: uniqueSource() });
    const refresh = () =>
      auth.rpc.request('auth.refresh', { refreshToken: session.refreshToken, source: uniqueSource() });

    const view = await auth.rpc.request('auth.admin.suspend', { actor: adminActor(), userId, reason: 'chargeback' });
    expect(view).toMatchObject({ id: userId, status: 'suspended', suspendedReason: 'chargeback' });
    expect(await auth.rpc.request('auth.principal', { userId })).toEqual({ userId, role: 'user', status: 'suspended' });
    await expect(login(email)).rejects.toMatchObject(suspended);
    // Only the right password learns of the suspension.
    await expect(login(email, 'not the password')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(refresh()).rejects.toMatchObject(suspended);
    await expect(verify()).rejects.toMatchObject(suspended);
    await auth.rpc.request('auth.password-reset.request', { email, source: uniqueSource() });

    // Suspending again changes nothing and announces nothing.
    expect(await auth.rpc.request('auth.admin.suspend', { actor: adminActor(), userId, reason: 'again' })).toEqual(
      view,
    );
    const restored = await auth.rpc.request('auth.admin.unsuspend', { actor: adminActor(), userId });
    expect(restored).toMatchObject({ status: 'active', suspendedReason: null });
    await waitFor(
      'user.unsuspended on JetStream',
      async () => (await eventsFor('user.unsuspended', userId)).length > 0,
    );
    expect(await eventsFor('user.suspended', userId)).toEqual([{ userId, reason: 'chargeback' }]);
    expect(await eventsFor('user.unsuspended', userId)).toEqual([{ userId }]);

    expect((await verify()).userId).toBe(userId);
    expect((await login(email)).user.id).toBe(userId);
    // Sessions ended by the suspension stay ended; no reset link was mailed while suspended.
    await expect(refresh()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(mailer.sent.some((mail) => mail.email === email)).toBe(false);
  });

  it('refuses to let admins suspend or demote themselves', async () => {
    const userId = admin.user.id;
    await expect(auth.rpc.request('auth.admin.suspend', { actor: adminActor(), userId })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'you cannot suspend yourself',
    });
    await expect(
      auth.rpc.request('auth.admin.update-user', { actor: adminActor(), userId, role: 'user' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: 'you cannot demote yourself' });
    expect(await auth.rpc.request('auth.principal', { userId })).toMatchObject({ role: 'admin', status: 'active' });
  });

  it('keeps at least one active admin', async () => {
    const lastAdmin = { code: 'CONFLICT', message: 'the last active admin cannot be demoted or suspended' };
    const demote = (actor: Actor, userId: string) =>
      auth.rpc.request('auth.admin.update-user', { actor, userId, role: 'user' });
    const promote = (actor: Actor, userId: string) =>
      auth.rpc.request('auth.admin.update-user', { actor, userId, role: 'admin' });

    await expect(demote(outsider, admin.user.id)).rejects.toMatchObject(lastAdmin);
    await expect(
      auth.rpc.request('auth.admin.suspend', { actor: outsider, userId: admin.user.id }),
    ).rejects.toMatchObject(lastAdmin);

    // A suspended admin does not count.
    const second = (await auth.signUp()).user.id;
    await promote(adminActor(), second);
    await auth.rpc.request('auth.admin.suspend', { actor: adminActor(), userId: second });
    await expect(demote(outsider, admin.user.id)).rejects.toMatchObject(lastAdmin);

    // With another active admin, either may be demoted.
    await auth.rpc.request('auth.admin.unsuspend', { actor: adminActor(), userId: second });
    expect(await demote(outsider, admin.user.id)).toMatchObject({ role: 'user' });
    expect(await auth.rpc.request('auth.principal', { userId: admin.user.id })).toMatchObject({ role: 'user' });
    await promote(outsider, admin.user.id);
    expect(await demote(adminActor(), second)).toMatchObject({ role: 'user' });

    await waitFor(
      'both role changes of the second account',
      async () => (await eventsFor('user.role-changed', second)).length >= 2,
    );
    expect(await eventsFor('user.role-changed', second)).toEqual([
      { userId: second, role: 'admin' },
      { userId: second, role: 'user' },
    ]);
  });

  it('announces a role change only when the role changes', async () => {
    const { id: userId } = (await auth.signUp()).user;
    expect(
      await auth.rpc.request('auth.admin.update-user', { actor: adminActor(), userId, role: 'user' }),
    ).toMatchObject({ role: 'user' });
    // Suspending publishes after the no-op would have: once it is out, the no-op published nothing.
    await auth.rpc.request('auth.admin.suspend', { actor: adminActor(), userId });
    await waitFor('user.suspended on JetStream', async () => (await eventsFor('user.suspended', userId)).length > 0);
    expect(await eventsFor('user.role-changed', userId)).toEqual([]);
  });

  it('lists accounts a page at a time, oldest first, by a literal part of the email', async () => {
    const tag = `t${randomBytes(4).toString('hex')}`;
    const emails = [`${tag}_1@example.test`, `${tag}x1@example.test`, `${tag}_2@example.test`, `${tag}-3@example.test`];
    const ids = [];
    for (const email of emails) ids.push((await auth.signUp(email)).user.id);

    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await auth.rpc.request('auth.admin.users', {
        actor: adminActor(),
        q: tag.toUpperCase(),
        limit: 3,
        cursor,
      });
      pages.push(page.users.map((user) => user.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([ids.slice(0, 3), ids.slice(3)]);

    const matching = async (q: string) =>
      (await auth.rpc.request('auth.admin.users', { actor: adminActor(), q, limit: 50 })).users.map((u) => u.email);
    // `_` and `%` match themselves, not any character.
    expect(await matching(`${tag}_`)).toEqual([emails[0], emails[2]]);
    expect(await matching(`${tag}%`)).toEqual([]);

    await expect(
      auth.rpc.request('auth.admin.users', { actor: adminActor(), limit: 3, cursor: 'not-a-cursor' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('shows one account, and NOT_FOUND for one that does not exist', async () => {
    const { user } = await auth.signUp(uniqueEmail());
    expect(await auth.rpc.request('auth.admin.user', { actor: adminActor(), userId: user.id })).toEqual({
      ...user,
      status: 'active',
      suspendedReason: null,
    });
    for (const request of [
      () => auth.rpc.request('auth.admin.user', { actor: adminActor(), userId: randomUUID() }),
      () => auth.rpc.request('auth.admin.suspend', { actor: adminActor(), userId: randomUUID() }),
      () => auth.rpc.request('auth.admin.update-user', { actor: adminActor(), userId: randomUUID(), role: 'admin' }),
    ]) {
      await expect(request()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});
