import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import request from 'supertest';
import { type Actor, permissions, type RpcRequest } from '@blockplane/contracts';
import { waitFor } from '@blockplane/testing';
import { allDesired, anActor, failure, type ServersUnderTest, startServers } from '../servers.spec-support.js';

const types = [
  { id: 'vanilla', name: 'Vanilla', versions: ['LATEST', '1.21.4'] },
  { id: 'paper', name: 'Paper', versions: ['1.21.4'] },
];
const aServer = { name: 'Survival', type: 'paper', version: '1.21.4', plan: 'small' } as const;

describe('servers commands over NATS', () => {
  let t: ServersUnderTest;

  beforeAll(async () => {
    t = await startServers({ SERVER_TYPES: JSON.stringify(types) });
  });
  afterAll(() => t.close());

  const create = (actor: Actor, body: Partial<RpcRequest<'servers.create'>> = {}) =>
    t.rpc.request('servers.create', { actor, ...aServer, ...body });

  it('offers the catalogue from config', async () => {
    expect(await t.rpc.request('servers.types', {})).toEqual(types);
    const plans = await t.rpc.request('servers.plans', {});
    expect(plans.map((plan) => [plan.id, plan.cpuCores, plan.memoryMb, plan.diskGb])).toEqual([
      ['small', 1, 2048, 10],
      ['medium', 2, 4096, 20],
      ['large', 4, 8192, 40],
    ]);
  });

  it('creates a server, announces it once through the outbox, and shows it on the dashboard', async () => {
    const actor = anActor();
    const server = await create(actor);
    expect(server).toMatchObject({
      ownerId: actor.userId,
      ...aServer,
      status: 'creating',
      statusReason: null,
      address: null,
      resources: { cpuCores: 1, memoryMb: 2048, diskGb: 10 },
    });
    expect(await t.rpc.request('servers.get', { actor, serverId: server.id })).toEqual(server);

    const usage = await t.rpc.request('servers.usage', { actor });
    expect(usage).toEqual({
      servers: { used: 1, max: 3 },
      cpuCores: { used: 1, max: 4 },
      memoryMb: { used: 2048, max: 8192 },
      diskGb: { used: 10, max: 40 },
    });
    expect(await t.rpc.request('servers.dashboard', { actor })).toEqual({
      servers: [{ ...server, access: 'owner', permissions: [...permissions].sort() }],
      usage,
      nextCursor: null,
    });
    expect(await allDesired(t.rpc)).toContainEqual(
      expect.objectContaining({ serverId: server.id, desiredState: 'running' }),
    );

    const jsm = await jetstreamManager(t.nats.connection);
    const subject = t.nats.eventSubject('server.requested');
    const requested = await waitFor('server.requested on JetStream', async () => {
      const message = await jsm.streams.getMessage(t.stream, { last_by_subj: subject }).catch(() => undefined);
      return message?.json<{ data: { server: { serverId: string } } }>().data.server.serverId === server.id && message;
    });
    expect(requested.json()).toMatchObject({
      type: 'server.requested',
      data: { server: { serverId: server.id, ownerId: actor.userId, type: 'paper', desiredState: 'running' } },
    });
    const info = await jsm.streams.info(t.stream, { subjects_filter: subject });
    expect(info.state.subjects?.[subject]).toBe(1);
  });

  it.each([
    ['plan', { plan: 'huge' }],
    ['type', { type: 'forge' }],
    ['version', { version: '1.8.9' }],
  ] as const)('refuses an unknown %s, naming the field, and creates nothing', async (field, body) => {
    const actor = anActor();
    const error = await failure(create(actor, body));
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: [field], message: expect.stringContaining('; accepted: ') }],
    });
    expect((await t.rpc.request('servers.dashboard', { actor })).servers).toEqual([]);
  });

  it.each([
    ['empty', '   '],
    ['too long', 'x'.repeat(65)],
    ['control characters', 'evil\u0007name'],
  ])('refuses a name that is %s', async (_, name) => {
    const actor = anActor();
    const error = await failure(create(actor, { name }));
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('name') });
    expect((await t.rpc.request('servers.usage', { actor })).servers.used).toBe(0);
  });

  it("answers NOT_FOUND for another user's server, and lets an admin see it", async () => {
    const owner = anActor();
    const stranger = anActor();
    const server = await create(owner);
    for (const attempt of [
      t.rpc.request('servers.get', { actor: stranger, serverId: server.id }),
      t.rpc.request('servers.power', { actor: stranger, serverId: server.id, action: 'stop' }),
      t.rpc.request('servers.delete', { actor: stranger, serverId: server.id }),
      t.rpc.request('servers.get', { actor: owner, serverId: randomUUID() }),
    ]) {
      expect(await failure(attempt)).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect((await t.rpc.request('servers.dashboard', { actor: stranger })).servers).toEqual([]);
    const admin = anActor('admin');
    expect((await t.rpc.request('servers.get', { actor: admin, serverId: server.id })).id).toBe(server.id);
  });

  it('stops, starts, deletes (freeing the quota at once) and refuses power on a deleted server', async () => {
    const actor = anActor();
    const { id: serverId } = await create(actor);
    const stopped = await t.rpc.request('servers.power', { actor, serverId, action: 'stop' });
    expect(stopped.status).toBe('stopping');
    expect((await t.rpc.request('servers.usage', { actor })).cpuCores.used).toBe(0);
    expect((await t.rpc.request('servers.power', { actor, serverId, action: 'start' })).status).toBe('starting');
    expect((await t.rpc.request('servers.power', { actor, serverId, action: 'restart' })).status).toBe('starting');

    expect((await t.rpc.request('servers.delete', { actor, serverId })).status).toBe('deleting');
    expect(await t.rpc.request('servers.usage', { actor })).toMatchObject({
      servers: { used: 0 },
      cpuCores: { used: 0 },
      diskGb: { used: 0 },
    });
    expect(await failure(t.rpc.request('servers.power', { actor, serverId, action: 'start' }))).toMatchObject({
      code: 'CONFLICT',
    });
    expect(await failure(t.rpc.request('servers.delete', { actor, serverId }))).toMatchObject({ code: 'CONFLICT' });
  });

  it('counts creations and servers by status in its metrics', async () => {
    const metrics = (await request(t.service.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^panel_server_creations_total\{service="servers"\} [1-9]/m);
    expect(metrics).toMatch(/^panel_server_deletions_total\{service="servers"\} [1-9]/m);
    expect(metrics).toMatch(/^panel_servers\{status="creating",service="servers"\} [1-9]/m);
    expect(metrics).toContain('panel_server_time_to_running_seconds_bucket');
  });
});
