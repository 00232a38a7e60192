import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@blockplane/contracts';
import { failure, register, type Registered, type ServersUnderTest, startServers } from '../servers.spec-support.js';

const small = { name: 'mc', type: 'vanilla', version: 'LATEST', plan: 'small' } as const;
const roomy = { maxServers: 10, maxCpuCores: 10, maxMemoryMb: 100_000, maxDiskGb: 1_000 };

describe('a suspended owner', () => {
  let t: ServersUnderTest;
  let owner: Registered;
  let helper: Registered;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startServers();
    owner = await register(t, roomy);
    helper = await register(t);
    for (let i = 0; i < 4; i++) ids.push((await t.rpc.request('servers.create', { actor: owner.actor, ...small })).id);
    const [, , third, fourth] = ids;
    if (!third || !fourth) throw new Error('four servers expected');
    await t.rpc.request('servers.power', { actor: owner.actor, serverId: fourth, action: 'stop' });
    await t.rpc.request('servers.subusers.create', {
      actor: owner.actor,
      serverId: third,
      email: helper.email,
      permissions: ['control.start'],
    });
  });
  afterAll(() => t.close());

  const stops = async () =>
    (await t.published('server.power-requested'))
      .filter((event) => event.data.action === 'stop' && ids.includes(event.data.server.serverId))
      .map((event) => event.data.server.serverId);
  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const publishAt = (envelope: Omit<EventEnvelope, 'id'>) =>
    t.events.publishEnvelope({ ...envelope, id: randomUUID() } as EventEnvelope);

  it('has every running server stopped once, through the outbox, even when the event comes twice', async () => {
    await t.relayed();
    const stoppedByOwner = await stops();
    const suspended = await t.events.publish('user.suspended', { userId: owner.actor.userId, reason: 'abuse' });
    await t.drained('user-suspended');
    // The same event again, as a redelivery after a crash would bring it: the inbox runs it once.
    await t.redeliver(suspended);
    await t.drained('user-suspended');
    await t.relayed();

    const [first, second, third] = ids;
    expect((await stops()).slice(stoppedByOwner.length).sort()).toEqual([first, second, third].sort());
    for (const serverId of ids) {
      const server = await t.rpc.request('servers.get', { actor: owner.actor, serverId });
      expect(server.status).toMatch(/^stopp(ing|ed)$/);
    }
    expect((await t.rpc.request('servers.usage', { actor: owner.actor })).cpuCores.used).toBe(0);
  });

  it('lets nobody claim resources for them: no start by a sub-user, no new server', async () => {
    const [, , third] = ids;
    if (!third) throw new Error('no third server');
    expect(
      await failure(t.rpc.request('servers.power', { actor: helper.actor, serverId: third, action: 'start' })),
    ).toMatchObject({ code: 'FORBIDDEN', message: "the owner's account is suspended" });
    expect(await failure(t.rpc.request('servers.create', { actor: owner.actor, ...small }))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('may start again once unsuspended, and a late copy of an older suspension changes nothing', async () => {
    const [first] = ids;
    if (!first) throw new Error('no server');
    await publishAt({ type: 'user.unsuspended', occurredAt: at(1_000), data: { userId: owner.actor.userId } });
    await t.drained('user-unsuspended');
    await t.rpc.request('servers.power', { actor: owner.actor, serverId: first, action: 'start' });
    await t.relayed();
    const before = await stops();
    await publishAt({
      type: 'user.suspended',
      occurredAt: at(-60_000),
      data: { userId: owner.actor.userId, reason: null },
    });
    await t.drained('user-suspended');
    await t.relayed();
    expect(await stops()).toEqual(before);
    expect((await t.rpc.request('servers.get', { actor: owner.actor, serverId: first })).status).toBe('starting');
  });
});
