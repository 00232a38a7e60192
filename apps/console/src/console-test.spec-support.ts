// A console service against the Kubernetes simulator in-process, reached through a request counter, with
// the test playing the servers service (`servers.access`, `servers.status`, `server.status-changed`) and the
// gateways (frame subscribers, leases).
// The int-spec starts the simulator (only specs may use tools) with `simulatorOptions()` and passes it in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Subscription } from '@nats-io/transport-node';
import {
  type ActivityEntry,
  type ConsoleBacklog,
  type ConsoleFrame,
  type ConsoleLine,
  type ConsoleStatus,
  consoleFrameBatchSchema,
  consoleFramesSubject,
  DomainError,
  type EventEnvelope,
  type Permission,
  type RpcPayload,
  type RpcResponse,
} from '@blockplane/contracts';
import { EventPublisher, NatsConnection, RpcClient, RpcResponder } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { type RunningService, startTestService } from '@blockplane/service/testing';
import { freePort, KubeRequestCounter, testEnv, waitFor } from '@blockplane/testing';
import { consoleApp } from './console.app.js';

const logger = createLogger('console-test', { level: 'silent' });
export const RCON_PASSWORD = 'test-rcon-secret';

/** Every frame of one server sent to one holder, in arrival order. */
export class FrameRecorder {
  readonly frames: ConsoleFrame[] = [];

  constructor(private readonly subscription: Subscription) {}

  lines(): ConsoleLine[] {
    return this.frames.flatMap((frame) => (frame.type === 'output' ? frame.lines : []));
  }

  texts(kind: ConsoleLine['kind'] = 'output'): string[] {
    return this.lines()
      .filter((line) => line.kind === kind)
      .map((line) => line.text);
  }

  of<T extends ConsoleFrame['type']>(type: T): Extract<ConsoleFrame, { type: T }>[] {
    return this.frames.filter((frame): frame is Extract<ConsoleFrame, { type: T }> => frame.type === type);
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

export interface HeldLease {
  backlog: ConsoleBacklog;
  release(): Promise<void>;
}

/** What the harness needs of the simulator. */
export interface SimulatorAccess {
  url: string;
  kubeconfig: string;
  /** Where its game servers' RCON listens (the simulator's `rconPort`). */
  rconPort: number;
}

/** Simulator options for a console test: no start delay, ports of its own, metrics every 200 ms. */
export async function simulatorOptions() {
  return {
    startDelayMs: [0, 0] as [number, number],
    gamePort: await freePort(),
    rconPort: await freePort(),
    metricsIntervalMs: 200,
  };
}

export interface ConsoleHarness {
  service: RunningService;
  rpc: RpcClient;
  core: CoreV1Api;
  namespace: string;
  kubeRequests: KubeRequestCounter;
  /** What `servers.access` grants, by `userId:serverId` (none: NOT_FOUND). */
  grants: Map<string, Permission[]>;
  /** What `servers.status` answers, by server (none: running). */
  statuses: Map<string, ConsoleStatus>;
  /** Announces a status transition as the servers service does (`server.status-changed`), made `at` (now). */
  announce(serverId: string, status: ConsoleStatus, at?: Date): Promise<void>;
  activity: ActivityEntry[];
  /** A running game server as the provisioner makes it (a Secret and a pod); resolves once it is Ready. */
  createServer(): Promise<string>;
  podName(serverId: string): string;
  /** Resolves once the cluster itself (not the console's cache) shows the server's `restarts`-th run Ready. */
  runReady(serverId: string, restarts: number): Promise<void>;
  /** Records the frames of `serverId` that the console sends to `holder`. */
  record(holder: string, serverId: string): FrameRecorder;
  /** Attaches as `holder` and renews like a gateway until the returned lease is released (detached). */
  hold(holder: string, serverId: string, lines?: number): Promise<HeldLease>;
  /** The console's value of a metric on /metrics. */
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

export async function startConsoleHarness(
  sim: SimulatorAccess,
  env: Record<string, string> = {},
): Promise<ConsoleHarness> {
  const namespace = `games-${randomBytes(4).toString('hex')}`;
  const kubeRequests = await KubeRequestCounter.start(sim.url);
  const kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'console-test-')), 'kubeconfig');
  writeFileSync(kubeconfigPath, sim.kubeconfig.replaceAll(sim.url, kubeRequests.url));
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });

  const service = await startTestService(consoleApp, {
    KUBECONFIG: kubeconfigPath,
    GAME_NAMESPACE: namespace,
    RCON_PORT: String(sim.rconPort),
    ...env,
  });
  const nats = await NatsConnection.open(
    { url: testEnv.natsUrl, namespace: service.namespace },
    'console-test',
    logger,
  );
  const grants = new Map<string, Permission[]>();
  const access = new RpcResponder(
    nats,
    `${service.namespace}.servers`,
    {
      subject: 'servers.access',
      handle: async (request): Promise<RpcResponse<'servers.access'>> => {
        const { actor, serverId } = request as RpcPayload<'servers.access'>;
        const permissions = grants.get(`${actor.userId}:${serverId}`);
        if (!permissions) throw new DomainError('NOT_FOUND', 'server not found');
        return { serverId, ownerId: actor.userId, kind: 'subuser', permissions };
      },
    },
    logger,
  );
  access.start();
  const statuses = new Map<string, ConsoleStatus>();
  const status = new RpcResponder(
    nats,
    `${service.namespace}.servers`,
    {
      subject: 'servers.status',
      handle: async (request): Promise<RpcResponse<'servers.status'>> => ({
        ...(statuses.get((request as RpcPayload<'servers.status'>).serverId) ?? { status: 'running', reason: null }),
        at: new Date().toISOString(),
      }),
    },
    logger,
  );
  status.start();
  const events = new EventPublisher(nats);
  const activity: ActivityEntry[] = [];
  const activitySubscription = nats.connection.subscribe(nats.eventSubject('activity.recorded'), {
    callback: (_error, message) => {
      activity.push(message.json<EventEnvelope<'activity.recorded'>>().data);
    },
  });
  const recorders: FrameRecorder[] = [];
  const renewals = new Set<NodeJS.Timeout>();
  const podName = (serverId: string) => `mc-${serverId}-0`;

  return {
    service,
    rpc: new RpcClient(nats),
    core,
    namespace,
    kubeRequests,
    grants,
    statuses,
    async announce(serverId, { status: next, reason }, at = new Date()) {
      statuses.set(serverId, { status: next, reason });
      await events.publish('server.status-changed', { serverId, status: next, reason, at: at.toISOString() });
    },
    activity,
    podName,
    async createServer() {
      const serverId = randomUUID();
      await core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: `mc-${serverId}` }, stringData: { 'rcon-password': RCON_PASSWORD } },
      });
      await core.createNamespacedPod({ namespace, body: gamePod(serverId, podName(serverId)) });
      await waitFor(
        `${podName(serverId)} Ready`,
        async () => {
          const pod = await core.readNamespacedPod({ name: podName(serverId), namespace });
          return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        },
        { timeoutMs: 15_000 },
      );
      return serverId;
    },
    async runReady(serverId, restarts) {
      await waitFor(`run ${restarts} of ${podName(serverId)} to be ready`, async () => {
        const pod = await core.readNamespacedPod({ name: podName(serverId), namespace });
        const status = pod.status?.containerStatuses?.[0];
        return status?.restartCount === restarts && status.ready;
      });
    },
    record(holder, serverId) {
      const recorder: FrameRecorder = new FrameRecorder(
        nats.connection.subscribe(nats.liveSubject(consoleFramesSubject(holder)), {
          callback: (_error, message) => {
            const batch = consoleFrameBatchSchema.parse(message.json());
            recorder.frames.push(...batch.filter((frame) => frame.serverId === serverId));
          },
        }),
      );
      recorders.push(recorder);
      return recorder;
    },
    async hold(holder, serverId, lines) {
      const rpc = new RpcClient(nats);
      const backlog = await rpc.request('console.attach', {
        holder,
        serverId,
        ...(lines === undefined ? {} : { lines }),
      });
      const renewal = setInterval(() => {
        rpc.request('console.renew', { holder, serverIds: [serverId] }).catch(() => undefined);
      }, backlog.leaseMs / 4);
      renewals.add(renewal);
      return {
        backlog,
        async release() {
          clearInterval(renewal);
          renewals.delete(renewal);
          await rpc.request('console.detach', { holder, serverId });
        },
      };
    },
    async metric(name) {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
      return Number(line?.split(' ').pop() ?? 0);
    },
    async close() {
      for (const recorder of recorders) recorder.stop();
      for (const renewal of renewals) clearInterval(renewal);
      activitySubscription.unsubscribe();
      await service.close();
      await access.stop();
      await status.stop();
      await nats.close();
      await kubeRequests.stop();
    },
  };
}

/** The game pod the provisioner's StatefulSet makes, reduced to what the console reads. */
function gamePod(serverId: string, name: string): V1Pod {
  return {
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'blockplane', 'blockplane.dev/server-id': serverId },
    },
    spec: {
      containers: [
        {
          name: 'minecraft',
          image: 'itzg/minecraft-server:latest',
          env: [
            { name: 'EULA', value: 'TRUE' },
            { name: 'TYPE', value: 'PAPER' },
            { name: 'ENABLE_RCON', value: 'true' },
            { name: 'RCON_PASSWORD', valueFrom: { secretKeyRef: { name: `mc-${serverId}`, key: 'rcon-password' } } },
          ],
          ports: [
            { name: 'minecraft', containerPort: 25565 },
            { name: 'rcon', containerPort: 25575 },
          ],
          resources: { limits: { cpu: '1', memory: '2Gi' } },
          readinessProbe: { tcpSocket: { port: 25565 }, periodSeconds: 1 },
        },
      ],
    },
  };
}
