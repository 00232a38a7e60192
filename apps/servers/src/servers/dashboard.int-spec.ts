import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type Actor, permissions, type Server } from '@blockplane/contracts';
import { allDesired, anActor, register, type ServersUnderTest, startServers } from '../servers.spec-support.js';

const aServer = { name: 'Survival', type: 'vanilla', version: 'LATEST', plan: 'small' } as const;
const many = 120;

describe('the dashboard and the desired state, a keyset page at a time', () => {
  let t: ServersUnderTest;
  const alice = anActor();
  const bob = anActor();
  let created: Server[];
  let bobs: Server[];

  const create = async (actor: Actor, count: number) => {
    const servers: Server[] = [];
    // A few at a time: one owner's creations queue on its quota lock anyway.
    for (let i = 0; i < count; i += 10) {
      const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
        t.rpc.request('servers.create', { actor, ...aServer, name: `server-${i + j}` }),
      );
      servers.push(...(await Promise.all(batch)));
    }
    return servers;
  };

  const walk = async (actor: Actor, limit?: number) => {
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await t.rpc.request('servers.dashboard', {
        actor,
        ...(limit ? { limit } : {}),
        ...(cursor ? { cursor } : {}),
      });
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return pages;
  };

  beforeAll(async () => {
    t = await startServers({
      DEFAULT_QUOTA_SERVERS: '200',
      DEFAULT_QUOTA_CPU_CORES: '200',
      DEFAULT_QUOTA_DISK_GB: '5000',
      DEFAULT_QUOTA_MEMORY_MB: '500000',
    });
    [created, bobs] = await Promise.all([create(alice, many), create(bob, 3)]);
  });
  afterAll(() => t.close());

  it('walks every page of an owner with 120 servers, oldest first, each server once, with the usage of all', async () => {
    const pages = await walk(alice);
    expect(pages.map((page) => page.servers.length)).toEqual([50, 50, 20]);
    expect(pages.map((page) => page.nextCursor === null)).toEqual([false, false, true]);
    const listed = pages.flatMap((page) => page.servers);
    expect(listed.map((server) => server.id)).toEqual(oldestFirst(created).map((server) => server.id));
    for (const page of pages) {
      expect(page.usage).toEqual({
        servers: { used: many, max: 200 },
        cpuCores: { used: many, max: 200 },
        memoryMb: { used: many * 2048, max: 500000 },
        diskGb: { used: many * 10, max: 5000 },
      });
    }
  });

  it('keeps to the asked limit, and never shows another owner’s servers', async () => {
    const pages = await walk(alice, 7);
    expect(pages).toHaveLength(Math.ceil(many / 7));
    expect(pages.every((page) => page.servers.length <= 7)).toBe(true);
    const ids = pages.flatMap((page) => page.servers.map((server) => server.id));
    expect(new Set(ids).size).toBe(many);
    expect(ids).not.toEqual(expect.arrayContaining([bobs[0]?.id]));

    const [bobsPage] = await walk(bob);
    expect(bobsPage?.servers.map((server) => server.ownerId)).toEqual([bob.userId, bob.userId, bob.userId]);
    expect(bobsPage?.nextCursor).toBeNull();
    expect((await walk(anActor()))[0]).toMatchObject({
      servers: [],
      nextCursor: null,
      usage: { servers: { used: 0 } },
    });
  });

  it('refuses a malformed cursor and an out-of-range limit with VALIDATION_FAILED', async () => {
    for (const request of [
      { actor: alice, cursor: 'not-a-cursor' },
      { actor: alice, cursor: Buffer.from('12.not-a-uuid').toString('base64url') },
      { actor: alice, limit: 0 },
      { actor: alice, limit: 201 },
    ]) {
      await expect(t.rpc.request('servers.dashboard', request)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    await expect(t.rpc.request('servers.desired-state', { limit: 1001 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('shows the servers shared with a sub-user, with their permissions, beside their own; usage stays their own', async () => {
    const carol = await register(t);
    // Created side by side: the dashboard's order (createdAt, id) decides which is listed first.
    const [first, , third] = oldestFirst(created);
    if (!first || !third) throw new Error('alice has too few servers');
    const invite = (server: Server, granted: ('file.read' | 'control.console' | 'control.start')[]) =>
      t.rpc.request('servers.subusers.create', {
        actor: alice,
        serverId: server.id,
        email: carol.email,
        permissions: granted,
      });
    await invite(third, ['file.read', 'control.console']);
    await invite(first, ['control.start']);
    const own = await t.rpc.request('servers.create', { actor: carol.actor, ...aServer });

    const pages = await walk(carol.actor, 1);
    expect(pages).toHaveLength(3);
    const listed = pages.flatMap((page) => page.servers);
    expect(listed.map((server) => [server.id, server.access, server.permissions])).toEqual([
      [first.id, 'subuser', ['control.start']],
      [third.id, 'subuser', ['control.console', 'file.read']],
      [own.id, 'owner', [...permissions].sort()],
    ]);
    expect(listed[0]).toMatchObject({ ...first, updatedAt: expect.any(String) });
    for (const page of pages) expect(page.usage.servers).toEqual({ used: 1, max: 3 });
    expect((await walk(alice, 200))[0]?.usage.servers.used).toBe(many);

    // An API key narrows what the dashboard says the sub-user may do.
    const keyed = { ...carol.actor, apiKey: { id: randomUUID(), permissions: ['file.read' as const] } };
    const [narrowed] = await walk(keyed, 50);
    expect(narrowed?.servers.map((server) => server.permissions)).toEqual([[], ['file.read'], ['file.read']]);
  });

  it('pages the desired state: every server not yet gone, once, including one being deleted', async () => {
    const [gone] = bobs;
    if (!gone) throw new Error('bob has no servers');
    await t.rpc.request('servers.delete', { actor: bob, serverId: gone.id });
    const desired = await allDesired(t.rpc, 100);
    const ids = desired.map((spec) => spec.serverId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([...created, ...bobs].map((server) => server.id)));
    expect(desired.find((spec) => spec.serverId === gone.id)?.desiredState).toBe('deleted');
  });
});

function oldestFirst(servers: Server[]): Server[] {
  return [...servers].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
