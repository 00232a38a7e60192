import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  type ActivityEntry,
  activityActions,
  type Actor,
  type EventEnvelope,
  type Server,
} from '@blockplane/contracts';
import { anActor, failure, register, type ServersUnderTest, startServers } from '../servers.spec-support.js';

describe('the activity log', () => {
  let t: ServersUnderTest;
  let owner: Actor;
  let server: Server;
  let other: Server;
  const admin = anActor('admin');
  const helper = anActor();
  const entries: ActivityEntry[] = [];

  const entry = (serverId: string, actorId: string, occurredAt: Date): ActivityEntry => ({
    id: randomUUID(),
    occurredAt: occurredAt.toISOString(),
    action: 'server.power',
    actorId,
    apiKeyId: null,
    source: '203.0.113.7',
    serverId,
    subjectUserId: null,
    details: { action: 'restart' },
  });

  /** Every entry of a log, page by page, and the size of each page. */
  const walk = async (
    request: (cursor?: string) => Promise<{ entries: ActivityEntry[]; nextCursor: string | null }>,
  ) => {
    const listed: ActivityEntry[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await request(cursor);
      listed.push(...page.entries);
      sizes.push(page.entries.length);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return { listed, sizes };
  };
  const newestFirst = (list: ActivityEntry[]) =>
    [...list].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.id.localeCompare(a.id));

  beforeAll(async () => {
    t = await startServers();
    ({ actor: owner } = await register(t));
    const create = () =>
      t.rpc.request('servers.create', { actor: owner, name: 'mc', type: 'paper', version: '1.21.4', plan: 'small' });
    [server, other] = [await create(), await create()];
    const start = Date.now();
    // Pairs share a millisecond, so the id breaks the tie.
    for (let i = 0; i < 7; i++)
      entries.push(entry(server.id, i % 2 ? helper.userId : owner.userId, new Date(start + Math.floor(i / 2) * 1000)));
    entries.push(entry(other.id, owner.userId, new Date(start + 500)));
    const published = [];
    for (const data of entries) published.push(await t.events.publish('activity.recorded', data));
    // A redelivery (the inbox skips it) and a second announcement of the same entry (its id skips it).
    const [first] = published;
    if (!first) throw new Error('nothing published');
    await t.redeliver(first);
    await t.events.publish('activity.recorded', first.data);
    await t.drained('activity-recorded');
  });
  afterAll(() => t.close());

  it("lists a server's entries newest first, a page at a time, each once", async () => {
    const { listed, sizes } = await walk((cursor) =>
      t.rpc.request('servers.activity', { actor: owner, serverId: server.id, limit: 3, ...(cursor ? { cursor } : {}) }),
    );
    expect(sizes).toEqual([3, 3, 1]);
    expect(listed).toEqual(newestFirst(entries.filter((e) => e.serverId === server.id)));
  });

  it('shows it to a sub-user, and answers NOT_FOUND to whoever does not reach the server', async () => {
    const invited = await register(t);
    await t.rpc.request('servers.subusers.create', {
      actor: owner,
      serverId: server.id,
      email: invited.email,
      permissions: ['activity.read'],
    });
    const page = await t.rpc.request('servers.activity', { actor: invited.actor, serverId: server.id, limit: 50 });
    expect(page.entries).toHaveLength(7);
    expect(
      await failure(t.rpc.request('servers.activity', { actor: anActor(), serverId: server.id, limit: 50 })),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gives admins the whole log, filtered by actor or server', async () => {
    // Earlier runs left older entries in the shared database: the newest are ours.
    const all = await t.rpc.request('servers.admin.activity', { actor: admin, limit: entries.length });
    expect(all.entries).toEqual(newestFirst(entries));
    const { listed } = await walk((cursor) =>
      t.rpc.request('servers.admin.activity', {
        actor: admin,
        actorId: helper.userId,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      }),
    );
    expect(listed).toEqual(newestFirst(entries.filter((e) => e.actorId === helper.userId)));
    const mine = await t.rpc.request('servers.admin.activity', {
      actor: admin,
      actorId: owner.userId,
      serverId: other.id,
      limit: 50,
    });
    expect(mine.entries).toEqual(entries.filter((e) => e.serverId === other.id));
  });

  it('stores every action of the contract as text, and drops one the contract does not know', async () => {
    const fresh = await t.rpc.request('servers.create', {
      actor: owner,
      name: 'mc',
      type: 'paper',
      version: '1.21.4',
      plan: 'small',
    });
    const start = Date.now();
    const known = activityActions.map((action, i) => ({
      ...entry(fresh.id, owner.userId, new Date(start + i)),
      action,
      details: {},
    }));
    for (const data of known) await t.events.publish('activity.recorded', data);
    // Past the publisher's own check, as a service built from an older or newer contract would send it.
    const [first] = known;
    if (!first) throw new Error('no actions');
    const unknown = { ...first, id: randomUUID(), action: 'file.teleport' };
    const envelope = { id: randomUUID(), type: 'activity.recorded', occurredAt: unknown.occurredAt, data: unknown };
    await t.redeliver(envelope as unknown as EventEnvelope);
    await t.drained('activity-recorded');
    const page = await t.rpc.request('servers.activity', { actor: owner, serverId: fresh.id, limit: 200 });
    expect(page.entries.map((e) => e.action).sort()).toEqual([...activityActions].sort());
    const [row] = await t.query<{ n: string }>('select count(*) as n from servers.activity where id = ?', [unknown.id]);
    expect(row?.n).toBe('0');
  });

  it('refuses the whole log to users and to API keys', async () => {
    const keyed = { ...admin, apiKey: { id: randomUUID(), permissions: ['activity.read' as const] } };
    for (const actor of [owner, keyed]) {
      expect(await failure(t.rpc.request('servers.admin.activity', { actor, limit: 50 }))).toMatchObject({
        code: 'FORBIDDEN',
      });
    }
  });
});
