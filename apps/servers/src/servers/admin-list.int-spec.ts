import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Actor, AdminServerPage } from '@blockplane/contracts';
import { anActor, failure, register, type ServersUnderTest, startServers } from '../servers.spec-support.js';

const aServer = { name: 'mc', type: 'vanilla', version: 'LATEST', plan: 'small' } as const;

describe('servers.admin.list', () => {
  let t: ServersUnderTest;
  const admin = anActor('admin');

  beforeAll(async () => {
    t = await startServers();
  });
  afterAll(() => t.close());

  const walk = async (request: { ownerId?: string; limit: number }) => {
    const servers: AdminServerPage['servers'] = [];
    let cursor: string | undefined;
    do {
      const page = await t.rpc.request('servers.admin.list', {
        actor: admin,
        ...request,
        ...(cursor ? { cursor } : {}),
      });
      servers.push(...page.servers);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return servers;
  };

  it('lists every server not gone with its owner’s email, a page at a time, or one owner’s', async () => {
    const alice = await register(t);
    const unknown = anActor();
    const create = (actor: Actor) => t.rpc.request('servers.create', { actor, ...aServer });
    const [a1, a2, u1, gone] = [
      await create(alice.actor),
      await create(alice.actor),
      await create(unknown),
      await create(unknown),
    ];
    await t.rpc.request('servers.delete', { actor: unknown, serverId: gone.id });
    await t.events.publish('server.deleted', { serverId: gone.id, observedAt: new Date().toISOString() });
    await t.drained('server-deleted');

    // Other spec files share the database: look at ours only.
    const ours = new Set([a1.id, a2.id, u1.id, gone.id]);
    const listed = (await walk({ limit: 200 })).filter((server) => ours.has(server.id));
    expect(listed.map((server) => [server.id, server.ownerEmail])).toEqual([
      [a1.id, alice.email],
      [a2.id, alice.email],
      [u1.id, null],
    ]);
    expect(listed[0]).toEqual({ ...a1, ownerEmail: alice.email });
    expect((await walk({ ownerId: alice.actor.userId, limit: 1 })).map((server) => server.id)).toEqual([a1.id, a2.id]);
  });

  it('refuses users and API keys', async () => {
    const keyed = { ...admin, apiKey: { id: randomUUID(), permissions: [] } };
    for (const actor of [anActor(), keyed]) {
      expect(await failure(t.rpc.request('servers.admin.list', { actor, limit: 10 }))).toMatchObject({
        code: 'FORBIDDEN',
      });
    }
  });
});
