import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from 'minecraft-server-util';
import type { CreateServerRequest, Server, ServerTypeInfo, User } from '@blockplane/contracts';
import { GatewayClient, type Stack, startStack, waitFor } from '@blockplane/testing';
import { Cluster } from './cluster.js';

/** The version the server list ping must answer with: a fixed one, never LATEST. */
function pickVersion(types: ServerTypeInfo[]): string {
  const vanilla = types.find((type) => type.id === 'vanilla');
  const version = vanilla?.versions.find((v) => /^\d+\.\d+/.test(v));
  if (!version) throw new Error(`no fixed vanilla version in ${JSON.stringify(types)}`);
  return version;
}

async function ping(address: string | null) {
  const [host = '', port = ''] = (address ?? '').split(/:(?=\d+$)/);
  return status(host, Number(port), { enableSRV: false, timeout: 3_000 });
}

describe('a server from sign-up to deletion', () => {
  let stack: Stack;
  let cluster: Cluster;
  let client: GatewayClient;
  let user: User;
  let server: Server;
  let request: CreateServerRequest;

  const onDashboard = async () => (await client.dashboard()).servers.find((s) => s.id === server.id);

  beforeAll(async () => {
    stack = await startStack();
    cluster = new Cluster(stack.kubeconfigPath, stack.gameNamespace);
  }, 120_000);
  afterAll(() => stack?.stop(), 30_000);

  it('signs up and logs in', async () => {
    ({ client, user } = await GatewayClient.signUp(stack.gatewayUrl));
    expect((await client.request<User>('GET', 'me')).body).toMatchObject({ id: user.id, role: 'user' });
  });

  it('creates a server: 202 creating, then running with an address that answers a server list ping', async () => {
    const anonymous = new GatewayClient(stack.gatewayUrl);
    const types = (await anonymous.request<ServerTypeInfo[]>('GET', 'server-types')).body;
    request = { name: 'Survival with friends', type: 'vanilla', version: pickVersion(types), plan: 'small' };
    const created = await client.request<Server>('POST', 'servers', request);
    expect(created.status).toBe(202);
    server = created.body;
    expect(server).toMatchObject({ ...request, status: 'creating', ownerId: user.id });
    expect(await onDashboard()).toMatchObject({ id: server.id });

    const running = await client.waitForStatus(server.id, 'running');
    expect(running.address).toMatch(/^[\d.]+:\d+$/);
    expect((await onDashboard())?.status).toBe('running');
    const answer = await waitFor('a server list ping answer', () => ping(running.address));
    expect(answer.version.name).toContain(request.version);
    expect(await client.usage()).toMatchObject({ servers: { used: 1 }, cpuCores: { used: 1 } });
  }, 30_000);

  it('stops: status stopped, replicas 0, the volume kept', async () => {
    expect((await client.request('POST', `servers/${server.id}/power`, { action: 'stop' })).status).toBe(202);
    await client.waitForStatus(server.id, 'stopped');
    expect((await onDashboard())?.status).toBe('stopped');
    expect((await cluster.statefulSetOf(server.id)).spec?.replicas).toBe(0);
    const objects = await cluster.objectsOf(server.id);
    expect(objects.pods).toEqual([]);
    expect(objects.volumeClaims).toHaveLength(1);
  });

  it('starts again', async () => {
    expect((await client.request('POST', `servers/${server.id}/power`, { action: 'start' })).status).toBe(202);
    const running = await client.waitForStatus(server.id, 'running');
    expect((await cluster.statefulSetOf(server.id)).spec?.replicas).toBe(1);
    expect((await waitFor('a ping after start', () => ping(running.address))).version.name).toContain(request.version);
  });

  it('restarts into a new pod', async () => {
    const before = await cluster.podUidOf(server.id);
    expect(before).toBeDefined();
    expect((await client.request('POST', `servers/${server.id}/power`, { action: 'restart' })).status).toBe(202);
    await waitFor('a new pod', async () => {
      const uid = await cluster.podUidOf(server.id);
      return uid !== undefined && uid !== before;
    });
    await client.waitForStatus(server.id, 'running');
    expect((await onDashboard())?.status).toBe('running');
  });

  it('deletes: gone for its owner once deleted (404), every object gone, the quota freed', async () => {
    const deleted = await client.request<Server>('DELETE', `servers/${server.id}`);
    expect(deleted.status).toBe(202);
    expect(deleted.body.status).toBe('deleting');
    // A deleted server no longer exists for anyone: no status to read, a 404 like any unknown id.
    await waitFor(
      'the deleted server to answer 404',
      async () => (await client.request('GET', `servers/${server.id}`)).status === 404,
      { timeoutMs: 20_000 },
    );
    expect(await onDashboard()).toBeUndefined();
    await waitFor('every object to be gone', () => cluster.isEmptyFor(server.id));
    expect(await client.usage()).toMatchObject({
      servers: { used: 0 },
      cpuCores: { used: 0 },
      memoryMb: { used: 0 },
      diskGb: { used: 0 },
    });
  });
});
