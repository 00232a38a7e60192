import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type Actor, type Permission, permissions, type Server } from '@blockplane/contracts';
import {
  anActor,
  failure,
  register,
  type Registered,
  type ServersUnderTest,
  startServers,
} from '../servers.spec-support.js';

const aServer = { name: 'Survival', type: 'paper', version: '1.21.4', plan: 'small' } as const;
const everything = [...permissions].sort();
const roomy = { maxServers: 20, maxCpuCores: 20, maxMemoryMb: 100_000, maxDiskGb: 1_000 };

describe('who reaches a server, and as what (servers.access)', () => {
  let t: ServersUnderTest;
  let owner: Actor;
  let helper: Registered;
  const admin = anActor('admin');
  const stranger = anActor();

  beforeAll(async () => {
    t = await startServers();
    ({ actor: owner } = await register(t, roomy));
    helper = await register(t);
  });
  afterAll(() => t.close());

  const create = () => t.rpc.request('servers.create', { actor: owner, ...aServer });
  const invite = (server: Server, granted: Permission[]) =>
    t.rpc.request('servers.subusers.create', {
      actor: owner,
      serverId: server.id,
      email: helper.email,
      permissions: granted,
    });
  const accessOf = (actor: Actor, server: Server) => t.rpc.request('servers.access', { actor, serverId: server.id });
  const withKey = (actor: Actor, keyPermissions: Permission[]): Actor => ({
    ...actor,
    apiKey: { id: randomUUID(), permissions: keyPermissions },
  });

  it('answers the owner and an admin every permission, a sub-user theirs (sorted), a stranger NOT_FOUND', async () => {
    const server = await create();
    await invite(server, ['file.read', 'control.console']);
    const base = { serverId: server.id, ownerId: owner.userId };
    expect(await accessOf(owner, server)).toEqual({ ...base, kind: 'owner', permissions: everything });
    expect(await accessOf(admin, server)).toEqual({ ...base, kind: 'admin', permissions: everything });
    expect(await accessOf(helper.actor, server)).toEqual({
      ...base,
      kind: 'subuser',
      permissions: ['control.console', 'file.read'],
    });
    for (const [actor, serverId] of [
      [stranger, server.id],
      [owner, randomUUID()],
    ] as const) {
      expect(await failure(t.rpc.request('servers.access', { actor, serverId }))).toMatchObject({
        code: 'NOT_FOUND',
        message: `server ${serverId} not found`,
      });
    }
  });

  it("narrows every kind to an API key's permissions, and never lets a key act as an admin", async () => {
    const server = await create();
    await invite(server, ['file.read', 'control.start']);
    const key: Permission[] = ['file.read', 'file.delete', 'activity.read'];
    expect(await accessOf(withKey(owner, key), server)).toMatchObject({
      kind: 'owner',
      permissions: ['activity.read', 'file.delete', 'file.read'],
    });
    expect(await accessOf(withKey(helper.actor, key), server)).toMatchObject({
      kind: 'subuser',
      permissions: ['file.read'],
    });
    // The contract says a key never carries the admin role; were it to, it still opens nothing.
    expect(await failure(accessOf(withKey(admin, key), server))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets a sub-user and an admin get, power and delete; deleting ends the sub-users at once', async () => {
    const server = await create();
    await invite(server, ['control.stop']);
    expect((await t.rpc.request('servers.get', { actor: helper.actor, serverId: server.id })).id).toBe(server.id);
    const stopped = await t.rpc.request('servers.power', { actor: helper.actor, serverId: server.id, action: 'stop' });
    expect(stopped.status).toBe('stopping');
    const started = await t.rpc.request('servers.power', { actor: admin, serverId: server.id, action: 'start' });
    expect(started.status).toBe('starting');
    expect(await failure(t.rpc.request('servers.get', { actor: stranger, serverId: server.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });

    expect((await t.rpc.request('servers.delete', { actor: admin, serverId: server.id })).status).toBe('deleting');
    expect(await failure(accessOf(helper.actor, server))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await accessOf(owner, server)).toMatchObject({ kind: 'owner' });
    await t.relayed();
    const ended = (await t.published('server.access-changed')).filter((event) => event.data.serverId === server.id);
    expect(ended.map((event) => event.data)).toEqual([{ serverId: server.id, userId: helper.actor.userId }]);
  });

  it('answers NOT_FOUND to everyone, owner and admin included, once the server is gone', async () => {
    const server = await create();
    await t.rpc.request('servers.delete', { actor: owner, serverId: server.id });
    await t.events.publish('server.deleted', { serverId: server.id, observedAt: new Date().toISOString() });
    await t.drained('server-deleted');
    for (const actor of [owner, admin])
      expect(await failure(accessOf(actor, server))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
