import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { type Actor, DomainError, type Subuser } from '@blockplane/contracts';
import { anAccess, GatewayTestKit } from '../testing/gateway-test-kit.js';

const owner: Actor = { userId: randomUUID(), role: 'user' };
const aSubuser = (overrides: Partial<Subuser> = {}): Subuser => ({
  userId: randomUUID(),
  email: 'friend@example.com',
  permissions: ['control.console'],
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  ...overrides,
});

describe('gateway sub-user routes', () => {
  let kit: GatewayTestKit;
  let auth: { Authorization: string };
  const serverId = randomUUID();
  const friend = aSubuser();

  beforeAll(async () => {
    kit = await GatewayTestKit.start();
    auth = await kit.bearer(owner);
    kit.answer('servers.access', ({ actor, serverId: id }) => anAccess(actor, { serverId: id }));
    kit.answer('servers.subusers.list', () => [friend]);
    kit.answer('servers.subusers.create', ({ email, permissions }) => aSubuser({ email, permissions }));
    kit.answer('servers.subusers.update', ({ userId, permissions }) => aSubuser({ userId, permissions }));
    kit.answer('servers.subusers.remove', () => ({}));
  });
  afterAll(() => kit.close());

  const path = (rest = '') => `/api/v1/servers/${serverId}/subusers${rest}`;

  it('lists, reads, invites (201), updates and removes (204) through the servers service', async () => {
    await request(kit.url).get(path()).set(auth).expect(200, [friend]);
    expect(kit.last('servers.subusers.list')).toEqual({ actor: owner, serverId });
    await request(kit.url)
      .get(path(`/${friend.userId}`))
      .set(auth)
      .expect(200, friend);

    const invite = { email: ' Friend@Example.com ', permissions: ['control.console', 'file.read'] };
    const invited = await request(kit.url).post(path()).set(auth).send(invite).expect(201);
    expect(invited.body.email).toBe('friend@example.com');
    expect(kit.last('servers.subusers.create')).toEqual({
      actor: owner,
      serverId,
      ...invite,
      email: 'friend@example.com',
    });

    const updated = await request(kit.url)
      .patch(path(`/${friend.userId}`))
      .set(auth)
      .send({ permissions: ['file.read'] })
      .expect(200);
    expect(updated.body.permissions).toEqual(['file.read']);
    expect(kit.last('servers.subusers.update')).toEqual({
      actor: owner,
      serverId,
      userId: friend.userId,
      permissions: ['file.read'],
    });

    await request(kit.url)
      .delete(path(`/${friend.userId}`))
      .set(auth)
      .expect(204);
    expect(kit.last('servers.subusers.remove')).toEqual({ actor: owner, serverId, userId: friend.userId });
  });

  it('answers 404 for a user who is not a sub-user of the server, and for a non-UUID id', async () => {
    const res = await request(kit.url)
      .get(path(`/${randomUUID()}`))
      .set(auth)
      .expect(404);
    expect(res.body.error.message).toBe('sub-user not found');
    await request(kit.url).get(path('/42')).set(auth).expect(404);
  });

  it('refuses repeated or unknown permissions with field-level details', async () => {
    const res = await request(kit.url)
      .post(path())
      .set(auth)
      .send({ email: 'x@example.com', permissions: ['file.read', 'file.read', 'sudo'] })
      .expect(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['permissions.2']),
    );
  });

  it('passes the servers service’s refusal of a grant beyond the granter’s rights through', async () => {
    kit.answer('servers.subusers.create', () => {
      throw new DomainError('FORBIDDEN', 'missing permission file.delete', { permission: 'file.delete' });
    });
    const res = await request(kit.url)
      .post(path())
      .set(auth)
      .send({ email: 'x@example.com', permissions: ['file.delete'] })
      .expect(403);
    expect(res.body.error.details).toEqual({ permission: 'file.delete' });
  });
});
