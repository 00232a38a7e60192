import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { ActivityPage, CreatedApiKey, Server, Session } from '@blockplane/contracts';
import { type RunningService, startTestService } from '@blockplane/service/testing';
import {
  GatewayClient,
  password,
  repositoryRoot,
  type ServiceProcess,
  spawnService,
  testEnv,
  uniqueNamespace,
  waitFor,
} from '@blockplane/testing';
import { gatewayApp } from '../gateway.app.js';

const run = promisify(execFile);

/**
 * The guard against the real auth and servers services (built, run as processes in this test's NATS
 * namespace and database), the gateway in-process: accounts, sub-users, API keys, suspension and the
 * activity log as they really answer, not as stand-ins say they do.
 */
describe('gateway access with the real auth and servers services', () => {
  const namespace = uniqueNamespace();
  const services: ServiceProcess[] = [];
  let gateway: RunningService;
  let owner: { client: GatewayClient; session: Session };
  let friend: { client: GatewayClient; session: Session };
  let stranger: GatewayClient;
  let server: Server;

  const newEmail = () => `access-${randomBytes(6).toString('hex')}@example.test`;
  const as = (token: string) => new GatewayClient(gateway.url, token);

  beforeAll(async () => {
    // The test database's rate-limit rows are shared by every spec that signs up from this address: not this test's subject.
    const env = {
      NATS_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_REGISTER_PER_SOURCE: '10000/1h',
      RATE_LIMIT_LOGIN_PER_SOURCE: '10000/15m',
    };
    services.push(
      ...(await Promise.all(['auth', 'servers'].map((name) => spawnService(name, env, { timeoutMs: 30_000 })))),
    );
    gateway = await startTestService(gatewayApp, { NATS_NAMESPACE: namespace });
    const signUp = async () => {
      const { client, session } = await GatewayClient.signUp(gateway.url);
      return { client, session };
    };
    [owner, friend] = await Promise.all([signUp(), signUp()]);
    stranger = (await GatewayClient.signUp(gateway.url)).client;
    // The servers service learns of accounts from `user.registered`: creating waits for the owner's quota.
    server = await waitFor('the owner’s first server', async () => {
      const created = await owner.client.request<Server>('POST', 'servers', {
        name: 'shared',
        type: 'paper',
        version: '1.21.4',
        plan: 'small',
      });
      return created.status === 202 && created.body;
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await Promise.all(services.map((service) => service.stop()));
  });

  it('hides a server from a stranger (404) and shows it to its owner', async () => {
    expect((await stranger.request('GET', `servers/${server.id}`)).status).toBe(404);
    expect((await owner.client.request('GET', `servers/${server.id}`)).status).toBe(200);
  });

  it('lets a sub-user do what they were granted and nothing else, 403 naming the permission', async () => {
    const invited = await owner.client.request('POST', `servers/${server.id}/subusers`, {
      email: friend.session.user.email,
      permissions: ['control.console'],
    });
    expect(invited.status).toBe(201);
    expect((await friend.client.request('GET', `servers/${server.id}`)).status).toBe(200);
    const start = await friend.client.request<{ error: { details: unknown } }>('POST', `servers/${server.id}/power`, {
      action: 'start',
    });
    expect([start.status, start.body.error.details]).toEqual([403, { permission: 'control.start' }]);
    const remove = await friend.client.request<{ error: { details: unknown } }>('DELETE', `servers/${server.id}`);
    expect([remove.status, remove.body.error.details]).toEqual([403, { permission: 'owner' }]);
  });

  it('narrows an API key to its permissions, keeps keys away from key management, and revokes at once', async () => {
    const created = await owner.client.request<CreatedApiKey>('POST', 'me/api-keys', {
      name: 'bot',
      permissions: ['control.stop'],
    });
    expect(created.status).toBe(201);
    const bot = as(created.body.secret);
    expect((await bot.request('POST', `servers/${server.id}/power`, { action: 'stop' })).status).toBe(202);
    expect((await bot.request('POST', `servers/${server.id}/power`, { action: 'start' })).status).toBe(403);
    expect((await bot.request('GET', 'me/api-keys')).status).toBe(403);
    expect((await owner.client.request('DELETE', `me/api-keys/${created.body.apiKey.id}`)).status).toBe(204);
    expect((await bot.request('GET', `servers/${server.id}`)).status).toBe(401);
  });

  it('records what was done, for the owner to read', async () => {
    const page = await waitFor('the activity log', async () => {
      const answer = await owner.client.request<ActivityPage>('GET', `servers/${server.id}/activity`);
      return answer.status === 200 && answer.body.entries.length >= 3 && answer.body;
    });
    expect(page.entries.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['server.create', 'subuser.create', 'server.power']),
    );
    expect(page.entries.find((entry) => entry.action === 'server.power')).toMatchObject({
      actorId: owner.session.user.id,
      apiKeyId: expect.any(String),
      details: { action: 'stop' },
    });
  });

  it('stops a suspended user’s access token and API keys on their next request; an admin acts on any server', async () => {
    const adminEmail = newEmail();
    await run(process.execPath, ['apps/auth/dist/create-admin.js', '--email', adminEmail], {
      cwd: repositoryRoot,
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: testEnv.databaseUrl,
        NATS_NAMESPACE: namespace,
        ADMIN_PASSWORD: password,
      },
    });
    const admin = as((await new GatewayClient(gateway.url).login(adminEmail)).accessToken);
    expect((await admin.request('GET', `servers/${server.id}/subusers`)).status).toBe(200);
    const key = await friend.client.request<CreatedApiKey>('POST', 'me/api-keys', { name: 'mine', permissions: [] });
    const friendsBot = as(key.body.secret);
    expect((await friendsBot.request('GET', 'me')).status).toBe(200);
    expect((await friend.client.request('GET', 'me')).status).toBe(200);
    const suspended = await admin.request('POST', `admin/users/${friend.session.user.id}/suspend`, { reason: 'test' });
    expect(suspended.status).toBe(200);
    const refused = await friend.client.request<{ error: { message: string } }>('GET', 'me');
    expect([refused.status, refused.body.error.message]).toEqual([403, 'account is suspended']);
    expect((await friendsBot.request('GET', 'me')).status).toBe(403);
  });
});
