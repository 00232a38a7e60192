import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Actor, Permission, Server } from '@blockplane/contracts';
import {
  anActor,
  failure,
  register,
  type Registered,
  type ServersUnderTest,
  startServers,
} from '../servers.spec-support.js';

const roomy = { maxServers: 20, maxCpuCores: 20, maxMemoryMb: 100_000, maxDiskGb: 1_000 };

describe('sub-users', () => {
  let t: ServersUnderTest;
  let owner: Registered;
  let manager: Registered;
  let player: Registered;

  beforeAll(async () => {
    t = await startServers();
    owner = await register(t, roomy);
    manager = await register(t);
    player = await register(t);
  });
  afterAll(() => t.close());

  const create = () =>
    t.rpc.request('servers.create', {
      actor: owner.actor,
      name: 'mc',
      type: 'vanilla',
      version: 'LATEST',
      plan: 'small',
    });
  const invite = (actor: Actor, server: Server, email: string, permissions: Permission[]) =>
    t.rpc.request('servers.subusers.create', { actor, serverId: server.id, email, permissions });
  const update = (actor: Actor, server: Server, userId: string, permissions: Permission[]) =>
    t.rpc.request('servers.subusers.update', { actor, serverId: server.id, userId, permissions });
  const remove = (actor: Actor, server: Server, userId: string) =>
    t.rpc.request('servers.subusers.remove', { actor, serverId: server.id, userId });
  const list = (actor: Actor, server: Server) => t.rpc.request('servers.subusers.list', { actor, serverId: server.id });
  const accessChanges = async (server: Server) =>
    (await t.published('server.access-changed')).filter((event) => event.data.serverId === server.id);

  it('invites known accounts by email and lists them with sorted permissions', async () => {
    const server = await create();
    const invited = await invite(owner.actor, server, ` ${manager.email.toUpperCase()} `, ['user.create', 'file.read']);
    expect(invited).toEqual({
      userId: manager.actor.userId,
      email: manager.email,
      permissions: ['file.read', 'user.create'],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await list(owner.actor, server)).toEqual([invited]);
    expect(await list(manager.actor, server)).toEqual([invited]);
  });

  it.each([
    ['an unknown email', 'NOT_FOUND', 'no account with this email', () => 'nobody@example.test'],
    ['the owner', 'CONFLICT', 'owner', () => owner.email],
    ['an existing sub-user', 'CONFLICT', 'already', () => manager.email],
  ])('refuses to invite %s', async (_, code, message, email) => {
    const server = await create();
    await invite(owner.actor, server, manager.email, ['file.read']);
    expect(await failure(invite(owner.actor, server, email(), ['file.read']))).toMatchObject({
      code,
      message: expect.stringContaining(message),
    });
  });

  it('refuses a sub-user inviting themself, and anyone who does not reach the server', async () => {
    const server = await create();
    await invite(owner.actor, server, manager.email, ['user.create', 'file.read']);
    expect(await failure(invite(manager.actor, server, manager.email, ['file.read']))).toMatchObject({
      code: 'CONFLICT',
    });
    for (const outsider of [player.actor, anActor()]) {
      expect(await failure(invite(outsider, server, owner.email, []))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await failure(list(outsider, server))).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  describe('never grants what the granter does not hold', () => {
    let server: Server;
    const managerRights: Permission[] = ['file.read', 'user.create', 'user.delete', 'user.update'];

    beforeAll(async () => {
      server = await create();
      await invite(owner.actor, server, manager.email, managerRights);
      await invite(owner.actor, server, player.email, ['control.stop', 'file.read']);
    });

    it('refuses to grant a permission the granter lacks, naming it', async () => {
      const stranger = await register(t);
      expect(await failure(invite(manager.actor, server, stranger.email, ['file.read', 'file.delete']))).toMatchObject({
        code: 'FORBIDDEN',
        details: { permission: 'file.delete' },
      });
      expect(
        await failure(update(manager.actor, server, player.actor.userId, ['control.stop', 'file.read', 'user.read'])),
      ).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'user.read' } });
      // What they do hold, they may grant.
      expect((await invite(manager.actor, server, stranger.email, ['file.read'])).permissions).toEqual(['file.read']);
    });

    it('refuses to revoke a permission the granter lacks, or to remove a sub-user holding one', async () => {
      expect(await failure(update(manager.actor, server, player.actor.userId, ['file.read']))).toMatchObject({
        code: 'FORBIDDEN',
        details: { permission: 'control.stop' },
      });
      expect(await failure(remove(manager.actor, server, player.actor.userId))).toMatchObject({
        code: 'FORBIDDEN',
        details: { permission: 'control.stop' },
      });
      expect((await list(owner.actor, server)).find((s) => s.userId === player.actor.userId)?.permissions).toEqual([
        'control.stop',
        'file.read',
      ]);
    });

    it('holds a sub-user to the API key they call with, even where they hold more', async () => {
      const narrowKey = {
        ...manager.actor,
        apiKey: { id: randomUUID(), permissions: ['user.create'] as Permission[] },
      };
      const stranger = await register(t);
      expect(await failure(invite(narrowKey, server, stranger.email, ['file.read']))).toMatchObject({
        code: 'FORBIDDEN',
        details: { permission: 'file.read' },
      });
    });
  });

  it('ends a removed sub-user’s access at once and tells the gateways once', async () => {
    const server = await create();
    await invite(owner.actor, server, player.email, ['file.read']);
    await t.rpc.request('servers.access', { actor: player.actor, serverId: server.id });
    await remove(owner.actor, server, player.actor.userId);
    expect(await failure(t.rpc.request('servers.access', { actor: player.actor, serverId: server.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure(remove(owner.actor, server, player.actor.userId))).toMatchObject({ code: 'NOT_FOUND' });
    await t.relayed();
    expect((await accessChanges(server)).map((event) => event.data)).toEqual([
      { serverId: server.id, userId: player.actor.userId },
    ]);
  });

  it('announces a change of rights, and none when nothing changed', async () => {
    const server = await create();
    await invite(owner.actor, server, player.email, ['file.read']);
    const updated = await update(owner.actor, server, player.actor.userId, ['file.update', 'file.read']);
    expect(updated.permissions).toEqual(['file.read', 'file.update']);
    expect((await t.rpc.request('servers.access', { actor: player.actor, serverId: server.id })).permissions).toEqual([
      'file.read',
      'file.update',
    ]);
    await update(owner.actor, server, player.actor.userId, ['file.read', 'file.update']);
    await t.relayed();
    expect(await accessChanges(server)).toHaveLength(1);
  });
});
