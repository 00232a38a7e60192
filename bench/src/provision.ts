// Provisioning through the whole product: the stack as processes (libs/testing's startStack)
// against the simulator with zero start delay. Prints the time for --count servers requested
// through the gateway to reach `running`, p50/p99 request-to-running, the panel's own overhead
// against the simulator's time, and dashboard latency for a user with --dashboard-servers servers.
import { parseArgs } from 'node:util';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { CreateServerRequest, Dashboard, EventEnvelope, EventPayload, Quota, Server } from '@blockplane/contracts';
import { NatsConnection } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { GatewayClient, password, type Stack, startStack, testEnv, waitFor } from '@blockplane/testing';
import { inParallel, percentile, report, type Result } from './measure.js';

const CREATE_CONCURRENCY = 32;
const DASHBOARD_SAMPLES = 200;
const POLL_MS = 50;
const serverIdIn = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const small = (name: string): CreateServerRequest => ({ name, type: 'paper', version: 'LATEST', plan: 'small' });

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '500' },
    'dashboard-servers': { type: 'string', default: '10000' },
    'kube-qps': { type: 'string', default: '200' },
    // A directory: every service writes a V8 CPU profile there when the stack stops.
    'cpu-prof': { type: 'string' },
  },
});
const count = Number(values.count);
const dashboardServers = Number(values['dashboard-servers']);

/** Every page of the dashboard: one page (50 by default) would never show all of `count` servers. */
async function everyServer(client: GatewayClient): Promise<Server[]> {
  const servers: Server[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `servers?limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page = await client.request<Dashboard>('GET', query);
    if (page.status !== 200) throw new Error(`the dashboard answered ${page.status}`);
    servers.push(...page.body.servers);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return servers;
}

/** A user whose quota (set by the admin, learned by the servers service) fits `servers` small servers. */
async function userFor(stack: Stack, admin: GatewayClient, servers: number): Promise<GatewayClient> {
  const { client, user } = await GatewayClient.signUp(stack.gatewayUrl);
  const quota: Quota = {
    maxServers: servers,
    maxCpuCores: servers,
    maxMemoryMb: servers * 2048,
    maxDiskGb: servers * 10,
  };
  const set = await admin.request('PUT', `admin/users/${user.id}/quota`, quota);
  if (set.status !== 200) throw new Error(`setting the quota answered ${set.status}: ${JSON.stringify(set.body)}`);
  await waitFor('the quota at the servers service', async () => (await client.usage()).servers.max === servers);
  return client;
}

/** First time (ms) the simulator's watch showed each server's StatefulSet, and its pod Ready. */
async function watchCluster(stack: Stack) {
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  const config = new KubeConfig();
  config.loadFromFile(stack.kubeconfigPath);
  const watch = new Watch(config);
  const seen = (map: Map<string, number>, name: string | undefined) => {
    const id = serverIdIn.exec(name ?? '')?.[0];
    if (id && !map.has(id)) map.set(id, performance.now());
  };
  type Meta = { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string }[] } };
  const ended = () => undefined; // the run is over long before the simulator's 300 s watch timeout
  const requests = await Promise.all([
    watch.watch(
      `/apis/apps/v1/namespaces/${stack.gameNamespace}/statefulsets`,
      {},
      (_, obj: Meta) => seen(created, obj.metadata?.name),
      ended,
    ),
    watch.watch(
      `/api/v1/namespaces/${stack.gameNamespace}/pods`,
      {},
      (_, obj: Meta) => {
        if (obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
          seen(ready, obj.metadata?.name);
      },
      ended,
    ),
  ]);
  return { created, ready, stop: () => requests.forEach((r) => r.abort()) };
}

/** First time (ms) each server's events went by on NATS (pod.ready: the first with an address). */
async function watchEvents(stack: Stack) {
  const logger = createLogger('bench', { level: 'silent' });
  const nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace: stack.natsNamespace }, 'bench', logger);
  const seen = { 'server.requested': new Map<string, number>(), 'pod.ready': new Map<string, number>() };
  const serverIdOf = (e: EventEnvelope): string | undefined =>
    e.type === 'server.requested'
      ? (e.data as EventPayload<'server.requested'>).server.serverId
      : e.type === 'pod.ready' && (e.data as EventPayload<'pod.ready'>).address
        ? (e.data as EventPayload<'pod.ready'>).serverId
        : undefined;
  for (const type of Object.keys(seen) as (keyof typeof seen)[]) {
    nats.connection.subscribe(nats.eventSubject(type), {
      callback: (_error, message) => {
        const id = serverIdOf(message.json<EventEnvelope>());
        if (id && !seen[type].has(id)) seen[type].set(id, performance.now());
      },
    });
  }
  return { ...seen, stop: () => nats.close() };
}

async function provisioning(stack: Stack, admin: GatewayClient): Promise<boolean> {
  const client = await userFor(stack, admin, count);
  const cluster = await watchCluster(stack);
  const events = await watchEvents(stack);
  const requested = new Map<string, number>();
  const accepted = new Map<string, number>();
  const running = new Map<string, number>();
  const start = performance.now();
  let polling = true;
  const poll = (async () => {
    while (polling) {
      for (const server of await everyServer(client)) {
        if (server.status === 'error') throw new Error(`${server.id}: ${server.statusReason}`);
        if (server.status === 'running' && !running.has(server.id)) running.set(server.id, performance.now());
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  poll.catch(() => undefined); // awaited below; a failed run must not crash the stack's shutdown
  try {
    await inParallel(
      Array.from({ length: count }, (_, i) => i),
      CREATE_CONCURRENCY,
      async (i) => {
        const at = performance.now();
        const answer = await client.request<{ id: string }>('POST', 'servers', small(`bench ${i}`));
        if (answer.status !== 202) throw new Error(`create answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        requested.set(answer.body.id, at);
        accepted.set(answer.body.id, performance.now());
      },
    );
    await waitFor(`${count} servers running`, () => running.size === count, { timeoutMs: 300_000, intervalMs: 100 });
  } finally {
    polling = false;
    cluster.stop();
    await events.stop();
  }
  await poll;

  const total = Math.max(...running.values()) - start;
  const toRunning = [...requested].map(([id, at]) => (running.get(id) ?? Number.NaN) - at);
  // The simulator's share: from the StatefulSet's creation to its pod's Ready, as its watch reported them.
  const simTimes = [...requested.keys()].map((id) => (cluster.ready.get(id) ?? NaN) - (cluster.created.get(id) ?? NaN));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const simTotal = sum(simTimes);
  // Where the time goes, server by server: each stage's p50/p99 from the marks above.
  const stage = (name: string, from: Map<string, number>, to: Map<string, number>): Result[] => {
    const times = [...requested.keys()].map((id) => (to.get(id) ?? NaN) - (from.get(id) ?? NaN));
    return [50, 99].map((p) => ({ name: `  ${name} p${p}`, value: percentile(times, p), unit: 'ms' }));
  };
  console.log(`\n${count} servers through the gateway (KUBE_QPS ${values['kube-qps']}, simulator start delay 0):`);
  return report([
    { name: `time for ${count} servers to reach running`, value: total / 1000, unit: 's' },
    { name: 'request-to-running p50', value: percentile(toRunning, 50), unit: 'ms' },
    { name: 'request-to-running p99', value: percentile(toRunning, 99), unit: 'ms' },
    { name: 'simulator (StatefulSet to Ready) p50', value: percentile(simTimes, 50), unit: 'ms' },
    { name: 'panel overhead / simulator time', value: (sum(toRunning) - simTotal) / simTotal, unit: 'x' },
    ...stage('request to 202', requested, accepted),
    ...stage('202 to server.requested (outbox)', accepted, events['server.requested']),
    ...stage('server.requested to StatefulSet', events['server.requested'], cluster.created),
    ...stage('StatefulSet to pod Ready (simulator)', cluster.created, cluster.ready),
    ...stage('pod Ready to pod.ready with address', cluster.ready, events['pod.ready']),
    ...stage('pod.ready to running (polled)', events['pod.ready'], running),
  ]);
}

async function dashboard(stack: Stack, admin: GatewayClient): Promise<boolean> {
  // Seeded through the public API with the provisioner stopped: the servers exist in the servers
  // service's tables only (their server.requested events wait unconsumed), so nothing but the
  // dashboard itself is measured, and any Kubernetes request during it would come from the dashboard.
  await stack.stopService('provisioner');
  const client = await userFor(stack, admin, dashboardServers);
  const seedStart = performance.now();
  await inParallel(
    Array.from({ length: dashboardServers }, (_, i) => i),
    CREATE_CONCURRENCY,
    async (i) => {
      const answer = await client.request('POST', 'servers', small(`seed ${i}`));
      if (answer.status !== 202) throw new Error(`seeding answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    },
  );
  console.log(`\nseeded ${dashboardServers} servers in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  // The dashboard is paged; its usage line counts every server the user has.
  const counted = (await client.dashboard()).usage.servers.used;
  if (counted !== dashboardServers) throw new Error(`the dashboard counts ${counted} servers, not ${dashboardServers}`);
  const kubeBefore = stack.kubeRequests();
  const latencies: number[] = [];
  for (let i = 0; i < DASHBOARD_SAMPLES; i++) {
    const at = performance.now();
    await client.dashboard();
    latencies.push(performance.now() - at);
  }
  return report([
    { name: `dashboard p50 (${dashboardServers} servers)`, value: percentile(latencies, 50), unit: 'ms' },
    {
      name: `dashboard p99 (${dashboardServers} servers)`,
      value: percentile(latencies, 99),
      unit: 'ms',
      target: { max: 50 },
    },
    {
      name: 'Kubernetes requests during the dashboard',
      value: stack.kubeRequests() - kubeBefore,
      unit: '',
      target: { max: 0 },
    },
  ]);
}

const stack = await startStack({
  env: {
    KUBE_QPS: values['kube-qps'],
    KUBE_BURST: String(2 * Number(values['kube-qps'])),
    RECONCILE_INTERVAL_MS: '60000',
    ...(values['cpu-prof'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${values['cpu-prof']}` } : {}),
  },
  simArgs: ['--cpu', String(count + 16), '--memory', `${(count + 16) * 2}Gi`, '--pods', String(count + 100)],
});
try {
  const email = `bench-admin-${stack.natsNamespace}@example.test`;
  await stack.createAdmin(email, password);
  const admin = new GatewayClient(
    stack.gatewayUrl,
    (await new GatewayClient(stack.gatewayUrl).login(email)).accessToken,
  );
  const provisioned = await provisioning(stack, admin);
  const dashboardOk = await dashboard(stack, admin);
  if (!provisioned || !dashboardOk) process.exitCode = 1;
} finally {
  await stack.stop();
}
