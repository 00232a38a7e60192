import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { status } from 'minecraft-server-util';
import {
  DomainError,
  type EventEnvelope,
  type EventSubject,
  type RpcPayload,
  type RpcResponse,
  type ServerSpec,
} from '@blockplane/contracts';
import { type KubeSim, startKubeSim } from '@blockplane/kube-sim';
import { eventStreamName, EventPublisher, NatsConnection, RpcResponder } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { type RunningService, startTestService } from '@blockplane/service/testing';
import { freePort, testEnv, waitFor } from '@blockplane/testing';
import { USED_AT } from './file-host/file-host.manifests.js';
import { FileHostService } from './file-host/file-host.service.js';
import { provisionerApp } from './provisioner.app.js';

const GAME_NAMESPACE = `games-${randomBytes(4).toString('hex')}`;
const logger = createLogger('provisioner-test', { level: 'silent' });

let sim: KubeSim;
let servicePort: number;
let service: RunningService;
let nats: NatsConnection;
let publisher: EventPublisher;
let responder: RpcResponder;
let subscription: Subscription;
let core: CoreV1Api;
let apps: AppsV1Api;
type PodSubject = 'pod.scheduled' | 'pod.pending' | 'pod.ready' | 'pod.failed' | 'server.stopped';
const podSubjects = new Set<EventSubject>([
  'pod.scheduled',
  'pod.pending',
  'pod.ready',
  'pod.failed',
  'server.stopped',
]);
/** What `servers.desired-state` answers: the test plays the servers service. */
const desired = new Map<string, ServerSpec>();
const seen: EventEnvelope[] = [];
/** Makes every page after the first fail, as a servers service that stops answering mid-walk. */
let failPagesAfterFirst = false;

/** One server a page, so every reconcile pass walks several pages; the cursor is the last server id. */
function desiredPage({ cursor }: RpcPayload<'servers.desired-state'>): RpcResponse<'servers.desired-state'> {
  if (cursor !== undefined && failPagesAfterFirst) throw new DomainError('INTERNAL', 'page lost');
  const ids = [...desired.keys()].sort();
  const next = ids.find((id) => cursor === undefined || id > cursor);
  const server = next === undefined ? undefined : desired.get(next);
  return { servers: server ? [server] : [], nextCursor: next !== undefined && next !== ids.at(-1) ? next : null };
}

function spec(overrides: Partial<ServerSpec> = {}): ServerSpec {
  return {
    serverId: randomUUID(),
    ownerId: randomUUID(),
    name: 'Survival  with friends',
    type: 'paper',
    version: '1.20.4',
    resources: { cpuCores: 1, memoryMb: 4096, diskGb: 10 },
    desiredState: 'running',
    ...overrides,
  };
}

const ns = { namespace: GAME_NAMESPACE };
const readSts = (id: string) => apps.readNamespacedStatefulSet({ name: `mc-${id}`, ...ns });
const exists = (read: () => Promise<unknown>) =>
  read().then(
    () => true,
    () => false,
  );

function eventsFor<S extends EventSubject>(type: S, serverId: string): EventEnvelope<S>[] {
  return seen.filter(
    (e): e is EventEnvelope<S> => e.type === type && (e.data as { serverId?: string }).serverId === serverId,
  );
}

async function nextEvent<S extends EventSubject>(type: S, serverId: string, after = 0, timeoutMs = 15_000) {
  return waitFor(`${type} for ${serverId}`, () => eventsFor(type, serverId)[after], { timeoutMs });
}

async function request(server: ServerSpec): Promise<void> {
  desired.set(server.serverId, server);
  await publisher.publish('server.requested', { server });
}

/** A pod.ready with an address: the load balancer's IP may come a moment after the pod is Ready. */
function readyWithAddress(serverId: string, after = 0): Promise<EventEnvelope<'pod.ready'>> {
  return waitFor(
    `pod.ready with an address for ${serverId}`,
    () =>
      eventsFor('pod.ready', serverId)
        .slice(after)
        .find((e) => e.data.address),
    { timeoutMs: 15_000 },
  );
}

function readyAddressOf(serverId: string): string | null | undefined {
  return eventsFor('pod.ready', serverId).find((e) => e.data.address)?.data.address;
}

/** What the provisioner said about a server's pod, in the order it published. */
function podObservations(serverId: string): EventEnvelope<PodSubject>[] {
  return seen.filter(
    (e): e is EventEnvelope<PodSubject> =>
      podSubjects.has(e.type) && (e.data as { serverId?: string }).serverId === serverId,
  );
}

async function readyServer(server: ServerSpec): Promise<EventEnvelope<'pod.ready'>> {
  await request(server);
  return readyWithAddress(server.serverId);
}

/** A series' value from the service's /metrics (0 when absent). */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return Number(line?.split(' ').pop() ?? 0);
}

async function currentPod(id: string): Promise<V1Pod> {
  return core.readNamespacedPod({ name: `mc-${id}-0`, ...ns });
}

beforeAll(async () => {
  // Ports of our own: the machine may already listen on 25565, and simulators share their address ranges.
  servicePort = await freePort();
  sim = await startKubeSim({ startDelayMs: [0, 0], gamePort: await freePort(), rconPort: await freePort() });
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  service = await startTestService(provisionerApp, {
    KUBECONFIG: sim.kubeconfigPath,
    GAME_NAMESPACE,
    RECONCILE_INTERVAL_MS: '500',
    ORPHAN_GRACE_MS: '1000',
    GAME_SERVICE_PORT: String(servicePort),
  });
  nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace: service.namespace }, 'provisioner-test', logger);
  publisher = new EventPublisher(nats);
  responder = new RpcResponder(
    nats,
    `${service.namespace}.servers`,
    {
      subject: 'servers.desired-state',
      handle: async (page) => desiredPage(page as RpcPayload<'servers.desired-state'>),
    },
    logger,
  );
  responder.start();
  subscription = nats.connection.subscribe(nats.eventSubject('>'), {
    callback: (_error, message) => {
      seen.push(message.json<EventEnvelope>());
    },
  });
}, 30_000);

afterAll(async () => {
  await service?.close();
  await responder?.stop();
  subscription?.unsubscribe();
  if (nats) {
    const jsm = await jetstreamManager(nats.connection);
    await jsm.streams.delete(eventStreamName(nats.namespace)).catch(() => undefined);
    await nats.close();
  }
  await sim?.stop();
});

describe('provisioning a server', () => {
  const server = spec();
  let ready: EventEnvelope<'pod.ready'>;

  beforeAll(async () => {
    ready = await readyServer(server);
  }, 30_000);

  it('applies a StatefulSet with the game image, environment, resources, volume and probe', async () => {
    const sts = await readSts(server.serverId);
    expect(sts.spec?.replicas).toBe(1);
    expect(sts.metadata?.annotations?.['blockplane.dev/display-name']).toBe(server.name);
    const container = sts.spec?.template.spec?.containers[0];
    expect(container?.image).toBe('itzg/minecraft-server:latest');
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toEqual({
      EULA: 'TRUE',
      TYPE: 'PAPER',
      VERSION: '1.20.4',
      MEMORY: '3072M',
      ENABLE_RCON: 'true',
      RCON_PASSWORD: { secretKeyRef: { name: `mc-${server.serverId}`, key: 'rcon-password' } },
    });
    expect(container?.resources).toEqual({
      requests: { cpu: '1', memory: '4096Mi' },
      limits: { cpu: '1', memory: '4096Mi' },
    });
    expect(container?.readinessProbe?.tcpSocket?.port).toBe(25565);
    expect(sts.spec?.template.spec?.terminationGracePeriodSeconds).toBe(60);
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests).toEqual({ storage: '10Gi' });
    expect(container?.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
  });

  it('labels everything and makes the StatefulSet own its Service and Secret', async () => {
    const sts = await readSts(server.serverId);
    const svc = await core.readNamespacedService({ name: `mc-${server.serverId}`, ...ns });
    const secret = await core.readNamespacedSecret({ name: `mc-${server.serverId}`, ...ns });
    const labels = {
      'app.kubernetes.io/name': 'minecraft',
      'app.kubernetes.io/instance': `mc-${server.serverId}`,
      'app.kubernetes.io/component': 'game-server',
      'app.kubernetes.io/part-of': 'blockplane',
      'app.kubernetes.io/managed-by': 'blockplane',
      'blockplane.dev/server-id': server.serverId,
    };
    for (const object of [sts, svc, secret, await currentPod(server.serverId)]) {
      expect(object.metadata?.labels).toMatchObject(labels);
    }
    for (const owned of [svc, secret]) {
      expect(owned.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'StatefulSet', name: `mc-${server.serverId}`, uid: sts.metadata?.uid }),
      ]);
    }
    expect(svc.spec?.type).toBe('LoadBalancer');
    expect(secret.data?.['rcon-password']).toBeTruthy();
  });

  it('announces server.provisioned, then pod.ready with an address where the game answers the requested version', async () => {
    expect(eventsFor('server.provisioned', server.serverId)).not.toHaveLength(0);
    expect(ready.data.address).toMatch(new RegExp(`^127\\.200\\.\\d+\\.\\d+:${servicePort}$`));
    const [host = '', port = ''] = (ready.data.address ?? '').split(':');
    const ping = await waitFor('a Server List Ping', () =>
      status(host, Number(port), { enableSRV: false, timeout: 2000 }),
    );
    expect(ping.version.name).toContain('1.20.4');
  });

  it('counts reconcile passes, and Kubernetes calls by verb and the status code the API answered', async () => {
    expect(await metric('panel_provisioner_reconcile_runs_total')).toBeGreaterThan(0);
    // The Secret is created (201 Created); the StatefulSet and Service are server-side applied.
    expect(await metric('panel_kube_api_calls_total', { verb: 'create', code: '201' })).toBeGreaterThan(0);
    expect(await metric('panel_kube_api_calls_total', { verb: 'apply' })).toBeGreaterThan(0);
    expect(await metric('panel_kube_api_calls_total', { verb: 'list', code: '200' })).toBeGreaterThan(0);
  });

  it('changes nothing when the same request is replayed twice', async () => {
    const before = await readSts(server.serverId);
    const secret = await core.readNamespacedSecret({ name: `mc-${server.serverId}`, ...ns });
    const pod = await currentPod(server.serverId);
    const readies = eventsFor('pod.ready', server.serverId).length;
    await publisher.publish('server.requested', { server });
    await publisher.publish('server.requested', { server });
    await waitFor('both replays handled', () => eventsFor('server.provisioned', server.serverId).length >= 3);
    const after = await readSts(server.serverId);
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect((await core.readNamespacedSecret({ name: `mc-${server.serverId}`, ...ns })).data).toEqual(secret.data);
    expect((await currentPod(server.serverId)).metadata?.uid).toBe(pod.metadata?.uid);
    expect(eventsFor('pod.ready', server.serverId)).toHaveLength(readies);
  });
});

describe('power and deletion', () => {
  const server = spec({ type: 'vanilla', version: '1.21.4', resources: { cpuCores: 0.5, memoryMb: 1024, diskGb: 5 } });

  beforeAll(async () => {
    await readyServer(server);
  }, 30_000);

  const power = async (action: 'start' | 'stop' | 'restart' | 'kill') => {
    const next = { ...server, desiredState: action === 'stop' ? ('stopped' as const) : ('running' as const) };
    desired.set(server.serverId, next);
    await publisher.publish('server.power-requested', { server: next, action });
  };

  it('stops (replicas 0, volume kept, server.stopped) and starts again', async () => {
    await power('stop');
    await nextEvent('server.stopped', server.serverId);
    expect((await readSts(server.serverId)).spec?.replicas).toBe(0);
    const claim = await core.readNamespacedPersistentVolumeClaim({ name: `data-mc-${server.serverId}-0`, ...ns });
    expect(claim.metadata?.name).toBeDefined();
    const readies = eventsFor('pod.ready', server.serverId).length;
    await power('start');
    await nextEvent('pod.ready', server.serverId, readies);
    expect((await readSts(server.serverId)).spec?.replicas).toBe(1);
  });

  it('restarts and kills by replacing the pod', async () => {
    for (const action of ['restart', 'kill'] as const) {
      const before = (await currentPod(server.serverId)).metadata?.uid;
      const readies = eventsFor('pod.ready', server.serverId).length;
      await power(action);
      await nextEvent('pod.ready', server.serverId, readies);
      expect((await currentPod(server.serverId)).metadata?.uid).not.toBe(before);
    }
  });

  it('deletes every object, the volume included, then announces server.deleted', async () => {
    const gone = { ...server, desiredState: 'deleted' as const };
    desired.set(server.serverId, gone);
    await publisher.publish('server.delete-requested', { server: gone });
    await nextEvent('server.deleted', server.serverId, 0, 25_000);
    const name = `mc-${server.serverId}`;
    expect(await exists(() => readSts(server.serverId))).toBe(false);
    expect(await exists(() => core.readNamespacedService({ name, ...ns }))).toBe(false);
    expect(await exists(() => core.readNamespacedSecret({ name, ...ns }))).toBe(false);
    expect(await exists(() => core.readNamespacedPersistentVolumeClaim({ name: `data-${name}-0`, ...ns }))).toBe(false);
    desired.delete(server.serverId);
  }, 30_000);
});

describe('status', () => {
  it('explains a pod that cannot be scheduled in words a user understands', async () => {
    sim.control.setCapacity({ memory: '2Gi' });
    try {
      const server = spec({ resources: { cpuCores: 1, memoryMb: 8192, diskGb: 5 } });
      await request(server);
      const pending = await waitFor('pod.pending explained', () =>
        eventsFor('pod.pending', server.serverId).find((e) => e.data.reason !== 'waiting for a place in the cluster'),
      );
      expect(pending.data.reason).toBe('not enough memory in the cluster');
      desired.delete(server.serverId);
    } finally {
      sim.control.setCapacity({ memory: '256Gi' });
    }
  });

  it("stamps each server's observations in order and ends on the newest, with many servers at once", async () => {
    const servers = Array.from({ length: 24 }, () => spec({ resources: { cpuCores: 0.1, memoryMb: 512, diskGb: 1 } }));
    await Promise.all(servers.map(request));
    await waitFor('every server ready with an address', () => servers.every((s) => readyAddressOf(s.serverId)), {
      timeoutMs: 25_000,
    });
    for (const { serverId } of servers) {
      const observed = podObservations(serverId);
      const times = observed.map((e) => e.data.observedAt);
      // The servers service keeps only the newest observedAt, whatever order its consumers see them in.
      expect(times).toEqual([...new Set(times)].sort());
      expect(observed.at(-1)).toMatchObject({ type: 'pod.ready', data: { address: readyAddressOf(serverId) } });
    }
    for (const { serverId } of servers) desired.delete(serverId);
  }, 30_000);
});

describe('reconciliation', () => {
  it('recreates a StatefulSet deleted behind its back', async () => {
    const server = spec();
    await readyServer(server);
    const before = (await readSts(server.serverId)).metadata?.uid;
    await apps.deleteNamespacedStatefulSet({ name: `mc-${server.serverId}`, ...ns });
    const after = await waitFor('a new StatefulSet', async () => {
      const uid = (await readSts(server.serverId)).metadata?.uid;
      return uid !== before && uid;
    });
    expect(after).toBeTruthy();
    await waitFor('its Service back', () =>
      exists(() => core.readNamespacedService({ name: `mc-${server.serverId}`, ...ns })),
    );
  }, 30_000);

  it('removes objects of a server that does not exist after the grace period', async () => {
    const orphan = spec();
    await request(orphan);
    await waitFor('the orphan applied', () => exists(() => readSts(orphan.serverId)));
    desired.delete(orphan.serverId);
    await waitFor('the orphan removed', async () => !(await exists(() => readSts(orphan.serverId))), {
      timeoutMs: 15_000,
    });
  }, 30_000);

  it('removes nothing after a walk that a failed page cut short', async () => {
    // Earlier servers are still wanted: the walk has pages after the first, and those fail.
    expect(desired.size).toBeGreaterThan(1);
    const orphan = spec();
    await request(orphan);
    await waitFor('the orphan applied', () => exists(() => readSts(orphan.serverId)));
    failPagesAfterFirst = true;
    try {
      desired.delete(orphan.serverId);
      const failed = await metric('panel_provisioner_reconcile_errors_total');
      // Three passes at 500 ms outlast the 1 s grace period.
      await waitFor(
        'three cut-short passes',
        async () => (await metric('panel_provisioner_reconcile_errors_total')) >= failed + 3,
        { timeoutMs: 10_000 },
      );
      expect(await exists(() => readSts(orphan.serverId))).toBe(true);
    } finally {
      failPagesAfterFirst = false;
    }
    await waitFor(
      'the orphan removed after a complete walk',
      async () => !(await exists(() => readSts(orphan.serverId))),
      {
        timeoutMs: 15_000,
      },
    );
  }, 30_000);

  it('converges after the API answered 503 for a while', async () => {
    const server = spec();
    sim.control.faults.set({ errorRates: { 500: 0, 503: 1, 429: 0 } });
    desired.set(server.serverId, server);
    const failed = await metric('panel_provisioner_reconcile_errors_total');
    await waitFor(
      'a reconcile pass failing',
      async () => (await metric('panel_provisioner_reconcile_errors_total')) > failed,
    );
    expect(await metric('panel_kube_api_calls_total', { code: '503' })).toBeGreaterThan(0);
    sim.control.faults.reset();
    await nextEvent('pod.ready', server.serverId, 0, 20_000);
    expect((await readSts(server.serverId)).spec?.replicas).toBe(1);
  }, 30_000);
});

describe('file hosts', () => {
  it('keeps a helper used after a sweep saw it idle, and removes it once nothing used it', async () => {
    const server = spec({ resources: { cpuCores: 0.5, memoryMb: 1024, diskGb: 5 } });
    await readyServer(server);
    const stopped = { ...server, desiredState: 'stopped' as const };
    desired.set(server.serverId, stopped);
    await publisher.publish('server.power-requested', { server: stopped, action: 'stop' });
    await nextEvent('server.stopped', server.serverId);
    await waitFor('the game pod to go', async () => !(await exists(() => currentPod(server.serverId))));
    const hosts = service.app.get(FileHostService);
    await hosts.acquire(server.serverId);
    const name = `mc-${server.serverId}-files`;
    const stampedLongAgo = { metadata: { annotations: { [USED_AT]: new Date(0).toISOString() } } };
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

    await core.patchNamespacedPod({ name, ...ns, body: stampedLongAgo }, merge);
    const seenIdle = await core.readNamespacedPod({ name, ...ns });
    await hosts.acquire(server.serverId); // an operation stamps the helper after the sweep listed it
    await hosts.sweepHelper(seenIdle);
    expect((await core.readNamespacedPod({ name, ...ns })).metadata?.deletionTimestamp).toBeUndefined();

    await core.patchNamespacedPod({ name, ...ns, body: stampedLongAgo }, merge);
    await hosts.sweepHelper(await core.readNamespacedPod({ name, ...ns }));
    await waitFor('the idle helper to go', async () => !(await exists(() => core.readNamespacedPod({ name, ...ns }))));
  }, 30_000);
});
