import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CreateServerRequest, Quota, Server, User } from '@blockplane/contracts';
import { type ErrorBody, GatewayClient, password, type Stack, startStack, waitFor } from '@blockplane/testing';
import { Cluster } from './cluster.js';

const small = (name: string): CreateServerRequest => ({ name, type: 'paper', version: 'LATEST', plan: 'small' });
const quota = (maxServers: number): Quota => ({ maxServers, maxCpuCores: 64, maxMemoryMb: 131_072, maxDiskGb: 1_000 });

async function simFaults(stack: Stack, method: 'PUT' | 'DELETE', body?: unknown): Promise<void> {
  const res = await fetch(`${stack.simUrl}/_sim/faults`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200);
}

describe('the stack under races and failures', () => {
  let stack: Stack;
  let cluster: Cluster;
  let admin: GatewayClient;

  beforeAll(async () => {
    stack = await startStack();
    cluster = new Cluster(stack.kubeconfigPath, stack.gameNamespace);
    const email = `admin-${stack.natsNamespace}@example.test`;
    await stack.createAdmin(email, password);
    admin = new GatewayClient(stack.gatewayUrl, (await new GatewayClient(stack.gatewayUrl).login(email)).accessToken);
  }, 120_000);
  afterAll(() => stack?.stop(), 30_000);

  /** A fresh user whose quota the admin has set. */
  async function userWithQuota(maxServers: number): Promise<GatewayClient> {
    const { client, user } = await GatewayClient.signUp(stack.gatewayUrl);
    const set = await admin.request<User>('PUT', `admin/users/${user.id}/quota`, quota(maxServers));
    expect(set.status).toBe(200);
    expect(set.body.quota.maxServers).toBe(maxServers);
    // The servers service learns the quota from an event: wait until it applies.
    await waitFor(
      'the quota to reach the servers service',
      async () => (await client.usage()).servers.max === maxServers,
    );
    return client;
  }

  it('makes exactly three of 20 concurrent creates against a quota of three', async () => {
    const client = await userWithQuota(3);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.request<Server | ErrorBody>('POST', 'servers', small(`race ${i}`))),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(17);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect((refused.body as ErrorBody).error.code).toBe('QUOTA_EXCEEDED');
    }
    expect((await client.dashboard()).servers).toHaveLength(3);
    expect((await client.usage()).servers).toEqual({ used: 3, max: 3 });
  });

  it('converges to running when the provisioner is killed right after a create and restarted', async () => {
    const client = await userWithQuota(5);
    const created = await client.request<Server>('POST', 'servers', small('killed provisioner'));
    expect(created.status).toBe(202);
    await stack.stopService('provisioner', 'SIGKILL');
    await stack.startService('provisioner');
    await client.waitForStatus(created.body.id, 'running', 30_000);
  }, 45_000);

  it('converges after the Kubernetes API answers 503 to everything for 10 s', async () => {
    const client = await userWithQuota(5);
    await simFaults(stack, 'PUT', { errorRates: { 503: 1 } });
    let created: Server;
    try {
      const answer = await client.request<Server>('POST', 'servers', small('during the outage'));
      expect(answer.status).toBe(202);
      created = answer.body;
      await new Promise((resolve) => setTimeout(resolve, 10_000)); // the outage itself, not a synchronisation
      expect((await client.server(created.id)).status).not.toBe('running');
    } finally {
      await simFaults(stack, 'DELETE');
    }
    await client.waitForStatus(created.id, 'running', 30_000);
  }, 60_000);

  it('brings back a StatefulSet deleted behind the panel’s back, and the server returns to running', async () => {
    const client = await userWithQuota(5);
    const created = await client.request<Server>('POST', 'servers', small('deleted behind its back'));
    await client.waitForStatus(created.body.id, 'running');
    const original = await cluster.statefulSetOf(created.body.id);
    const name = original.metadata?.name ?? '';
    await cluster.apps.deleteNamespacedStatefulSet({ name, namespace: stack.gameNamespace });
    await waitFor(
      'a new StatefulSet',
      async () => (await cluster.statefulSetOf(created.body.id)).metadata?.uid !== original.metadata?.uid,
      { timeoutMs: 15_000 },
    );
    await waitFor(
      'running again with a ready pod',
      async () => {
        const server = await client.server(created.body.id);
        const set = await cluster.statefulSetOf(created.body.id);
        return server.status === 'running' && set.status?.readyReplicas === 1;
      },
      { timeoutMs: 20_000 },
    );
  }, 45_000);
});
