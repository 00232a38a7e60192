import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Actor, EventEnvelope, EventSubject, Quota } from '@blockplane/contracts';
import { waitFor } from '@blockplane/testing';
import { anActor, register, type ServersUnderTest, startServers } from '../servers.spec-support.js';

const small = { name: 'mc', type: 'vanilla', version: 'LATEST', plan: 'small' } as const;

describe('quota', () => {
  let t: ServersUnderTest;

  beforeAll(async () => {
    t = await startServers();
  });
  afterAll(() => t.close());

  const outcomes = async (attempts: Promise<unknown>[]) => {
    const settled = await Promise.allSettled(attempts);
    const refused = settled.filter((s) => s.status === 'rejected').map((s) => (s.reason as { code: string }).code);
    return { made: settled.length - refused.length, refused };
  };
  /** Publishes an event as auth would have at `occurredAt`. */
  const publishAt = <S extends EventSubject>(type: S, data: EventEnvelope<S>['data'], occurredAt: Date) =>
    t.events.publishEnvelope({ id: randomUUID(), type, occurredAt: occurredAt.toISOString(), data } as EventEnvelope);
  const quotaOf = (actor: Actor, expected: Partial<Quota>) =>
    waitFor('the quota to be learned', async () => {
      const usage = await t.rpc.request('servers.usage', { actor });
      const max = {
        maxServers: usage.servers.max,
        maxCpuCores: usage.cpuCores.max,
        maxMemoryMb: usage.memoryMb.max,
        maxDiskGb: usage.diskGb.max,
      };
      return Object.entries(expected).every(([key, value]) => max[key as keyof Quota] === value) && usage;
    });

  it('makes exactly 3 of 20 concurrent creates against the default limit of 3', async () => {
    const actor = anActor();
    const { made, refused } = await outcomes(
      Array.from({ length: 20 }, (_, i) => t.rpc.request('servers.create', { actor, ...small, name: `mc-${i}` })),
    );
    expect(made).toBe(3);
    expect(new Set(refused)).toEqual(new Set(['QUOTA_EXCEEDED']));
    expect((await t.rpc.request('servers.dashboard', { actor })).servers).toHaveLength(3);
  });

  it('says which limit a create would exceed', async () => {
    const actor = anActor();
    await t.rpc.request('servers.create', { actor, ...small, plan: 'large' });
    const error = await t.rpc.request('servers.create', { actor, ...small }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      message: expect.stringContaining('CPU cores'),
      details: { limit: 'cpuCores', used: 4, requested: 1, max: 4 },
    });
  });

  it('never lets 20 concurrent starts exceed the CPU quota learned from auth', async () => {
    const actor = anActor();
    const roomy = { maxServers: 20, maxCpuCores: 20, maxMemoryMb: 100_000, maxDiskGb: 1_000 };
    const registered = new Date(Date.now() - 60_000);
    const account = { userId: actor.userId, email: `${actor.userId}@example.test`, role: 'user' } as const;
    await publishAt('user.registered', { ...account, quota: roomy }, registered);
    await quotaOf(actor, { maxServers: 20 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await t.rpc.request('servers.create', { actor, ...small })).id);
    for (const serverId of ids) await t.rpc.request('servers.power', { actor, serverId, action: 'stop' });

    await publishAt('user.quota-changed', { userId: actor.userId, quota: { ...roomy, maxCpuCores: 5 } }, new Date());
    // A late copy of the registration must not undo the newer change.
    await publishAt('user.registered', { ...account, quota: roomy }, registered);
    await t.drained('user-registered');
    await quotaOf(actor, { maxCpuCores: 5 });

    const { made, refused } = await outcomes(
      ids.map((serverId) => t.rpc.request('servers.power', { actor, serverId, action: 'start' })),
    );
    expect(made).toBe(5);
    expect(refused).toHaveLength(15);
    expect((await t.rpc.request('servers.usage', { actor })).cpuCores).toEqual({ used: 5, max: 5 });
  });

  it('keeps the running usage totals equal to a fresh aggregate of the servers after a mixed sequence', async () => {
    const { actor } = await register(t, { maxServers: 10, maxCpuCores: 20, maxMemoryMb: 100_000, maxDiskGb: 1_000 });
    const power = (serverId: string, action: 'start' | 'stop' | 'restart' | 'kill') =>
      t.rpc.request('servers.power', { actor, serverId, action });
    const [a, b, c, d, e, f] = (
      await Promise.all(
        ['small', 'medium', 'small', 'large', 'small', 'medium'].map((plan) =>
          t.rpc.request('servers.create', { actor, ...small, plan }),
        ),
      )
    ).map((server) => server.id) as [string, string, string, string, string, string];
    await power(a, 'stop');
    await power(b, 'stop');
    await power(b, 'start');
    await power(c, 'stop');
    await power(c, 'kill');
    await power(d, 'stop');
    await power(d, 'stop');
    await t.rpc.request('servers.delete', { actor, serverId: d });
    await t.rpc.request('servers.delete', { actor, serverId: e });
    await power(f, 'restart');
    // The cluster lost one the owner still wanted: gone, it claims nothing any more.
    await t.events.publish('server.deleted', { serverId: f, observedAt: new Date().toISOString() });
    await t.drained('server-deleted');
    await Promise.all([
      t.rpc.request('servers.create', { actor, ...small }),
      t.rpc.request('servers.create', { actor, ...small, plan: 'large' }),
    ]);

    const [aggregate] = await t.query<Record<'servers' | 'cpu' | 'memory' | 'disk', string>>(
      `select count(*) as servers, coalesce(sum(disk_gb), 0) as disk,
         coalesce(sum(cpu_cores) filter (where desired_state = 'running'), 0) as cpu,
         coalesce(sum(memory_mb) filter (where desired_state = 'running'), 0) as memory
       from servers.game_server where owner_id = ? and desired_state <> 'deleted' and status <> 'deleted'`,
      [actor.userId],
    );
    const usage = await t.rpc.request('servers.usage', { actor });
    expect(aggregate).toBeDefined();
    expect([usage.servers.used, usage.cpuCores.used, usage.memoryMb.used, usage.diskGb.used]).toEqual(
      [aggregate?.servers, aggregate?.cpu, aggregate?.memory, aggregate?.disk].map(Number),
    );
    // a (stopped), b, c (running), and the two new ones; d and e deleted, f gone.
    expect(usage.servers.used).toBe(5);
  });
});
