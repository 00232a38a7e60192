import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import {
  type ApiCatalogue,
  type Dashboard,
  type Permission,
  permissions,
  powerActions,
  type Server,
  type Session,
  type Subuser,
} from '@blockplane/contracts';
import { type Answer, type GatewayClient, password, type Stack, startStack } from '@blockplane/testing';
import { type Account, AccessKit, newEmail } from './access-kit.js';

/**
 * The advisory classes of issue #5, each tried against the whole stack: permission escalation through
 * grants, access after removal, refresh-token reuse, a login limiter that must not lock out others,
 * enumeration through answers, and token-type confusion.
 */

/** Small login limits, so the limiter test runs in a few requests; read back below, never re-typed. */
const env = {
  // The test speaks for several addresses through `X-Forwarded-For`, which the gateway takes from loopback.
  TRUST_PROXY: 'loopback',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE: '3/15m',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '20/15m',
  // The tests sign up a few dozen accounts from one address.
  RATE_LIMIT_REGISTER_PER_SOURCE: '100/1h',
};
const attemptsOf = (rate: string): number => Number(rate.split('/')[0]);

/** An answer with the ids it names replaced, to compare two answers about different ids. */
const withoutIds = (answer: Pick<Answer, 'status' | 'body'>, ...ids: string[]) => ({
  status: answer.status,
  body: ids.reduce((text, id) => text.replaceAll(id, '<id>'), JSON.stringify(answer.body)),
});

const errorOf = (answer: Pick<Answer, 'body'>) =>
  (answer.body as { error?: { code: string; details?: unknown } }).error;

describe('access control against the advisories', () => {
  let stack: Stack;
  let kit: AccessKit;
  let owner: Account;
  let admin: Account;
  let server: Server;

  beforeAll(async () => {
    stack = await startStack({ env });
    kit = new AccessKit(stack);
    [owner, admin] = await Promise.all([kit.signUp(), kit.admin()]);
    server = await kit.createServer(owner.client);
  }, 120_000);
  afterAll(() => stack?.stop(), 30_000);

  /** A fresh account the servers service knows, ready to be invited. */
  async function invitee(): Promise<Account> {
    const account = await kit.signUp();
    await kit.knownToServers(account);
    return account;
  }

  async function subuserPermissions(userId: string): Promise<Permission[]> {
    const answer = await owner.client.request<Subuser>('GET', `servers/${server.id}/subusers/${userId}`);
    expect(answer.status).toBe(200);
    return answer.body.permissions;
  }

  describe('permission escalation through grants', () => {
    let manager: Account;

    beforeAll(async () => {
      manager = await invitee();
      await kit.invite(owner.client, server.id, manager, ['control.console', 'user.create', 'user.update']);
    });

    const invite = (by: GatewayClient, account: Account, granted: Permission[]) =>
      by.request('POST', `servers/${server.id}/subusers`, { email: account.user.email, permissions: granted });

    it('a sub-user with user.create and control.console cannot grant control.start or control.command', async () => {
      const newcomer = await invitee();
      const escalations: [Permission[], Permission][] = [
        [['control.start'], 'control.start'],
        [['control.command'], 'control.command'],
        [['control.console', 'control.start'], 'control.start'],
      ];
      for (const [granted, lacking] of escalations) {
        const answer = await invite(manager.client, newcomer, granted);
        expect([answer.status, errorOf(answer)?.details]).toEqual([403, { permission: lacking }]);
      }
      // What they hold they may pass on, and nothing more arrives with it.
      expect((await invite(manager.client, newcomer, ['control.console'])).status).toBe(201);
      expect(await subuserPermissions(newcomer.user.id)).toEqual(['control.console']);
    });

    it('cannot add or remove on update a permission they lack, their own included', async () => {
      const subject = await invitee();
      await kit.invite(owner.client, server.id, subject, ['control.start']);
      const update = (userId: string, granted: Permission[]) =>
        manager.client.request('PATCH', `servers/${server.id}/subusers/${userId}`, { permissions: granted });

      // Adding what they hold leaves what they do not hold in place: allowed.
      expect((await update(subject.user.id, ['control.console', 'control.start'])).status).toBe(200);
      const removing = await update(subject.user.id, ['control.console']);
      expect([removing.status, errorOf(removing)?.details]).toEqual([403, { permission: 'control.start' }]);
      const adding = await update(subject.user.id, ['control.console', 'control.restart', 'control.start']);
      expect([adding.status, errorOf(adding)?.details]).toEqual([403, { permission: 'control.restart' }]);
      const ownRights = await update(manager.user.id, [
        'control.command',
        'control.console',
        'user.create',
        'user.update',
      ]);
      expect([ownRights.status, errorOf(ownRights)?.details]).toEqual([403, { permission: 'control.command' }]);

      expect(await subuserPermissions(subject.user.id)).toEqual(['control.console', 'control.start']);
      expect(await subuserPermissions(manager.user.id)).toEqual(['control.console', 'user.create', 'user.update']);
    });

    it('an API key narrower than the sub-user narrows further', async () => {
      const newcomer = await invitee();
      const inviteOnly = kit.as((await kit.createKey(manager.client, ['user.create'])).secret);
      // The sub-user holds control.console; through this key they do not.
      const narrowed = await invite(inviteOnly, newcomer, ['control.console']);
      expect([narrowed.status, errorOf(narrowed)?.details]).toEqual([403, { permission: 'control.console' }]);
      const consoleOnly = kit.as((await kit.createKey(manager.client, ['control.console'])).secret);
      const noInvites = await invite(consoleOnly, newcomer, []);
      expect([noInvites.status, errorOf(noInvites)?.details]).toEqual([403, { permission: 'user.create' }]);
      expect((await invite(inviteOnly, newcomer, [])).status).toBe(201);
      expect(await subuserPermissions(newcomer.user.id)).toEqual([]);
    });

    it('a sub-user holding only non-console rights (file.read) cannot drive the server', async () => {
      // The console socket does not exist yet: its `console.command` event joins the authorization matrix,
      // for this same kind of sub-user, once the gateway lists it. Until then: the power actions.
      const reader = await invitee();
      await kit.invite(owner.client, server.id, reader, ['file.read']);
      const catalogue = (await kit.send(undefined, 'GET', '/api/v1/routes')).body as ApiCatalogue;
      const power = catalogue.routes.find((route) => route.path === '/api/v1/servers/:id/power')?.rule;
      if (power?.kind !== 'server' || typeof power.need !== 'object') throw new Error('the power route picks no need');
      const needs = power.need.permissions;
      for (const action of powerActions) {
        const answer = await reader.client.request('POST', `servers/${server.id}/power`, { action });
        expect([action, answer.status, errorOf(answer)?.details]).toEqual([action, 403, { permission: needs[action] }]);
      }
      expect((await reader.client.request('GET', `servers/${server.id}`)).status).toBe(200);
    });
  });

  describe('access after removal', () => {
    it('a removed sub-user gets 404 at once on every server route, and the server leaves their dashboard', async () => {
      const former = await invitee();
      await kit.invite(owner.client, server.id, former, [...permissions]);
      expect((await former.client.request('GET', `servers/${server.id}`)).status).toBe(200);
      expect((await former.client.dashboard()).servers.map((shared) => shared.id)).toContain(server.id);

      await kit.removeSubuser(owner.client, server.id, former.user.id);
      const catalogue = (await kit.send(undefined, 'GET', '/api/v1/routes')).body as ApiCatalogue;
      const serverRoutes = catalogue.routes.filter((route) => route.rule.kind === 'server');
      expect(serverRoutes.length).toBeGreaterThan(5);
      const answers = await Promise.all(
        serverRoutes.map(async ({ method, path }) => {
          const concrete = path.replace(':id', server.id).replace(/:\w+/g, () => randomUUID());
          const answer = await kit.send(former.session.accessToken, method, concrete);
          return `${method} ${path} ${answer.status} ${errorOf(answer)?.code}`;
        }),
      );
      expect(answers).toEqual(serverRoutes.map(({ method, path }) => `${method} ${path} 404 NOT_FOUND`));
      expect((await former.client.dashboard()).servers.map((shared) => shared.id)).not.toContain(server.id);
    });

    it('a revoked API key is refused at once', async () => {
      const { apiKey, secret } = await kit.createKey(owner.client, [...permissions]);
      const bot = kit.as(secret);
      expect((await bot.request('GET', `servers/${server.id}`)).status).toBe(200);
      expect((await owner.client.request('DELETE', `me/api-keys/${apiKey.id}`)).status).toBe(204);
      const refused = await bot.request('GET', `servers/${server.id}`);
      expect([refused.status, errorOf(refused)?.code]).toEqual([401, 'UNAUTHENTICATED']);
    });
  });

  describe('refresh-token reuse', () => {
    it('a rotated refresh token fails when reused, and takes the newer one with it', async () => {
      const { session } = await kit.signUp();
      const refresh = (refreshToken: string) =>
        kit.anonymous.request<Session>('POST', 'auth/refresh', { refreshToken });
      const rotated = await refresh(session.refreshToken);
      expect(rotated.status).toBe(200);
      const reused = await refresh(session.refreshToken);
      expect([reused.status, errorOf(reused)?.code]).toEqual([401, 'UNAUTHENTICATED']);
      const newer = await refresh(rotated.body.refreshToken);
      expect([newer.status, errorOf(newer)?.code]).toEqual([401, 'UNAUTHENTICATED']);
    });
  });

  describe('the login limiter', () => {
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    const elsewhere = { 'x-forwarded-for': '198.51.100.20' };
    const login = (email: string, secret: string, from: Record<string, string>) =>
      kit.anonymous.request('POST', 'auth/login', { email, password: secret }, from);

    it('stops an attacker hammering one account, while its owner and others still log in', async () => {
      const perAccountAndAddress = attemptsOf(env.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE);
      // Else the account-wide limit would be what this test runs into.
      expect(attemptsOf(env.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT)).toBeGreaterThan(perAccountAndAddress + 1);
      const [victim, other] = await Promise.all([kit.signUp(), kit.signUp()]);

      for (let attempt = 0; attempt < perAccountAndAddress; attempt++) {
        expect((await login(victim.user.email, 'wrong guess number one', attacker)).status).toBe(401);
      }
      const limited = await login(victim.user.email, 'wrong guess number two', attacker);
      expect([limited.status, errorOf(limited)?.code]).toEqual([429, 'RATE_LIMITED']);
      expect(limited.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      // Limited by address and account, not by password: even the right one waits there.
      expect((await login(victim.user.email, password, attacker)).status).toBe(429);

      expect((await login(victim.user.email, password, elsewhere)).status).toBe(200);
      expect((await login(other.user.email, password, elsewhere)).status).toBe(200);
      expect((await login(other.user.email, password, attacker)).status).toBe(200);
    });
  });

  describe('enumeration through answers', () => {
    it('registering a taken email answers as registering a new one', async () => {
      const register = (email: string) => kit.anonymous.request('POST', 'auth/register', { email, password });
      const [taken, fresh] = await Promise.all([register(owner.user.email), register(newEmail())]);
      expect(withoutIds(taken)).toEqual(withoutIds(fresh));
      expect(taken.status).toBe(202);
    });

    it('a wrong password for an existing email answers as for an unknown one', async () => {
      const login = (email: string) =>
        kit.anonymous.request('POST', 'auth/login', { email, password: 'not the password at all' });
      const [existing, unknown] = await Promise.all([login(owner.user.email), login(newEmail())]);
      expect(withoutIds(existing)).toEqual(withoutIds(unknown));
      expect(existing.status).toBe(401);
    });

    it('a password reset for an existing email answers as for an unknown one', async () => {
      const reset = (email: string) => kit.anonymous.request('POST', 'auth/password-reset', { email });
      const [existing, unknown] = await Promise.all([reset(owner.user.email), reset(newEmail())]);
      expect(withoutIds(existing)).toEqual(withoutIds(unknown));
      expect(existing.status).toBe(202);
    });

    it('the admin users API answers a non-admin alike for an existing and a random id (no IDOR)', async () => {
      const missing = randomUUID();
      const [existing, random] = await Promise.all([
        owner.client.request('GET', `admin/users/${admin.user.id}`),
        owner.client.request('GET', `admin/users/${missing}`),
      ]);
      expect(withoutIds(existing, admin.user.id)).toEqual(withoutIds(random, missing));
      expect(existing.status).toBe(403);
    });

    it('the sub-users of someone else’s server answer as those of a server that does not exist', async () => {
      const stranger = await kit.signUp();
      const subuser = await invitee();
      await kit.invite(owner.client, server.id, subuser, []);
      const [nobodysServer, nobody] = [randomUUID(), randomUUID()];
      const ask = (serverId: string, rest = '') =>
        stranger.client.request('GET', `servers/${serverId}/subusers${rest}`);
      const [theirs, none] = await Promise.all([ask(server.id), ask(nobodysServer)]);
      expect(withoutIds(theirs, server.id)).toEqual(withoutIds(none, nobodysServer));
      expect(theirs.status).toBe(404);
      const [theirSubuser, noSubuser] = await Promise.all([
        ask(server.id, `/${subuser.user.id}`),
        ask(nobodysServer, `/${nobody}`),
      ]);
      expect(withoutIds(theirSubuser, server.id, subuser.user.id)).toEqual(
        withoutIds(noSubuser, nobodysServer, nobody),
      );
      expect(theirSubuser.status).toBe(404);
    });

    it('a sub-user of another server can be neither read nor changed through your own server', async () => {
      const [other, subuser] = await Promise.all([kit.signUp(), invitee()]);
      const theirServer = await kit.createServer(other.client);
      await kit.invite(owner.client, server.id, subuser, ['control.console']);
      const through = `servers/${theirServer.id}/subusers/${subuser.user.id}`;
      const read = await other.client.request('GET', through);
      const changed = await other.client.request('PATCH', through, { permissions: [] });
      const removed = await other.client.request('DELETE', through);
      expect([read.status, changed.status, removed.status]).toEqual([404, 404, 404]);
      expect(await subuserPermissions(subuser.user.id)).toEqual(['control.console']);
    });
  });

  describe('roles change at once', () => {
    it('a promoted user is an admin on their next request, and a demoted one no longer is', async () => {
      const promoted = await kit.signUp();
      const setRole = (role: string) => admin.client.request('PATCH', `admin/users/${promoted.user.id}`, { role });
      const adminApi = () => promoted.client.request('GET', 'admin/users');
      expect((await adminApi()).status).toBe(403);
      expect((await setRole('admin')).status).toBe(200);
      expect((await adminApi()).status).toBe(200);
      expect((await promoted.client.request('GET', `servers/${server.id}`)).status).toBe(200);
      expect((await setRole('user')).status).toBe(200);
      expect((await adminApi()).status).toBe(403);
      expect((await promoted.client.request('GET', `servers/${server.id}`)).status).toBe(404);
    });
  });

  describe('token-type confusion', () => {
    const me = (credential: string) => kit.send(credential, 'GET', '/api/v1/me');
    const expectInvalidToken = (answer: { status: number; challenge: string | null }) =>
      expect([answer.status, answer.challenge]).toEqual([401, expect.stringContaining('invalid_token')]);

    it('a refresh token is no bearer credential', async () => {
      const { session } = await kit.signUp();
      expectInvalidToken(await me(session.refreshToken));
      expect((await me(session.accessToken)).status).toBe(200);
    });

    it('an access token or an API key is no refresh token', async () => {
      const { session, client } = await kit.signUp();
      const { secret } = await kit.createKey(client, []);
      for (const refreshToken of [session.accessToken, secret]) {
        const answer = await kit.anonymous.request('POST', 'auth/refresh', { refreshToken });
        expect([answer.status, errorOf(answer)?.code]).toEqual([401, 'UNAUTHENTICATED']);
      }
    });

    it('an access token with its typ or aud edited fails its signature', async () => {
      const { session } = await kit.signUp();
      const [header = '', payload = '', signature = ''] = session.accessToken.split('.');
      const edit = (part: string, change: Record<string, unknown>) =>
        Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(part, 'base64url').toString()), ...change })).toString(
          'base64url',
        );
      expectInvalidToken(await me([edit(header, { typ: 'JWT' }), payload, signature].join('.')));
      expectInvalidToken(await me([header, edit(payload, { aud: 'another-api' }), signature].join('.')));
      expectInvalidToken(await me([edit(header, { alg: 'none' }), payload, ''].join('.')));
    });

    /**
     * Auth signs only access tokens (its refresh tokens are opaque), so no token of another type or audience
     * can be had from it: this test signs them with auth's own key, read from its table, to show the gateway
     * checks the claims and not only the signature. The same forgery with the right claims passes.
     */
    it('a token signed with auth’s key but of another type, audience or issuer, or expired, is refused', async () => {
      const { user } = await kit.signUp();
      const [row = ''] = await stack.database.query(
        'select kid, private_jwk from auth.signing_key order by created_at desc limit 1',
      );
      const [kid, jwk = '{}'] = row.split('\t');
      const key = createPrivateKey({ key: JSON.parse(jwk) as Record<string, string>, format: 'jwk' });
      const now = Math.floor(Date.now() / 1000);
      const forge = (header: Record<string, unknown>, claims: Record<string, unknown>) => {
        const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
        const input = `${encode({ alg: 'EdDSA', typ: 'at+jwt', kid, ...header })}.${encode({
          sub: user.id,
          role: 'user',
          iss: 'blockplane-auth',
          aud: 'blockplane-api',
          iat: now,
          exp: now + 300,
          jti: randomUUID(),
          ...claims,
        })}`;
        return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
      };
      expect((await me(forge({}, {}))).status).toBe(200);
      expectInvalidToken(await me(forge({ typ: 'JWT' }, {})));
      expectInvalidToken(await me(forge({ typ: 'rt+jwt' }, {})));
      expectInvalidToken(await me(forge({}, { aud: 'blockplane-console' })));
      expectInvalidToken(await me(forge({}, { iss: 'someone-else' })));
      expectInvalidToken(await me(forge({}, { iat: now - 3600, exp: now - 60 })));
    });

    it('an API key is refused on the admin API, even an admin’s holding everything, and on key management', async () => {
      const { secret } = await kit.createKey(admin.client, [...permissions]);
      const adminsKey = kit.as(secret);
      for (const [method, path] of [
        ['GET', 'admin/users'],
        ['GET', `admin/users/${owner.user.id}`],
        ['POST', `admin/users/${owner.user.id}/suspend`],
        ['GET', 'me/api-keys'],
        ['POST', 'me/api-keys'],
      ] as const) {
        const answer = await adminsKey.request(method, path, method === 'POST' ? {} : undefined);
        expect([method, path, answer.status, errorOf(answer)?.code]).toEqual([method, path, 403, 'FORBIDDEN']);
      }
      // Nor does it act as an admin anywhere else: someone else's server does not exist through it.
      expect((await adminsKey.request('GET', `servers/${server.id}`)).status).toBe(404);
      expect((await admin.client.request('GET', `servers/${server.id}`)).status).toBe(200);
      expect((await adminsKey.request<Dashboard>('GET', 'servers')).status).toBe(200);
    });
  });
});
