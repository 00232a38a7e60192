import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Actor, PowerAction, Server } from '@blockplane/contracts';
import { type KubeSim, startKubeSim } from '@blockplane/kube-sim';
import { currentTraceId, inSpan, SpanKind } from '@blockplane/observability';
import { type ReadableSpan, recordSpans } from '@blockplane/observability/testing';
import {
  connectTestClient,
  type RunningService,
  startTestService,
  type TestServiceClient,
} from '@blockplane/service/testing';
import {
  freePort,
  type ServiceProcess,
  spawnService,
  StackDatabase,
  uniqueNamespace,
  waitFor,
} from '@blockplane/testing';
import { provisionerApp } from './provisioner.app.js';

// Every span of this process: the provisioner runs here; the servers service runs as a process of its own,
// with a database of their own (the provisioner reconciles every server the servers service has).
const spans = recordSpans();
const GAME_NAMESPACE = `games-${randomBytes(4).toString('hex')}`;
const actor: Actor = { userId: randomUUID(), role: 'user' };

let sim: KubeSim;
let database: StackDatabase;
let servers: ServiceProcess;
let provisioner: RunningService;
let client: TestServiceClient;

beforeAll(async () => {
  const namespace = uniqueNamespace();
  sim = await startKubeSim({ startDelayMs: [0, 0], gamePort: await freePort(), rconPort: await freePort() });
  database = await StackDatabase.create(`blockplane_${namespace}`);
  const env = { NATS_NAMESPACE: namespace, DATABASE_URL: database.url };
  servers = await spawnService('servers', { ...env, LOG_LEVEL: 'warn' });
  provisioner = await startTestService(provisionerApp, {
    ...env,
    KUBECONFIG: sim.kubeconfigPath,
    GAME_NAMESPACE,
    GAME_SERVICE_PORT: String(await freePort()),
  });
  client = await connectTestClient(provisioner);
  // The start-up reconciliation would apply a server created meanwhile in its own trace: let it finish first.
  await waitFor('the start-up reconciliation', () => spans.getFinishedSpans().some((s) => s.name === 'reconcile'));
}, 60_000);

afterAll(async () => {
  await provisioner?.close();
  await servers?.stop();
  await client?.close();
  await sim?.stop();
  await database?.drop();
});

/** Runs `request` in a root span of the test's own, as a client of the panel would; answers its trace id too. */
async function traced<T>(name: string, request: () => Promise<T>): Promise<{ result: T; traceId: string }> {
  return inSpan(name, { kind: SpanKind.INTERNAL }, async () => ({
    result: await request(),
    traceId: currentTraceId() ?? '',
  }));
}

const spansOf = (traceId: string) => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

/** The ids of the server's pod.ready events, oldest first. */
async function podReadyIds(server: Server): Promise<string[]> {
  return (await client.published('pod.ready')).filter((e) => e.data.serverId === server.id).map((e) => e.id);
}

/** The span that published the event with this id. */
function publishSpan(eventId: string): ReadableSpan | undefined {
  return spans.getFinishedSpans().find((s) => s.name === 'publish pod.ready' && s.attributes['event.id'] === eventId);
}

async function nextPodReady(server: Server, after: number): Promise<ReadableSpan> {
  return waitFor(
    'a new pod.ready published',
    async () => {
      const id = (await podReadyIds(server))[after];
      return id === undefined ? undefined : publishSpan(id);
    },
    { timeoutMs: 20_000 },
  );
}

const power = (server: Server, action: PowerAction) =>
  traced(`${action} a server`, () => client.rpc.request('servers.power', { actor, serverId: server.id, action }));

describe('one trace from the creation request to the pod.ready that ends it', () => {
  let server: Server;
  let traceId: string;
  let ready: ReadableSpan;
  let restartTraceId: string;

  beforeAll(async () => {
    const created = await traced('create a server', () =>
      client.rpc.request('servers.create', { actor, name: 'traced', type: 'paper', version: '1.21.4', plan: 'small' }),
    );
    server = created.result;
    traceId = created.traceId;
    ready = await nextPodReady(server, 0);
    await waitFor('the server running', async () => {
      const current = await client.rpc.request('servers.get', { actor, serverId: server.id });
      return current.status === 'running';
    });
  }, 30_000);

  it('carries the request through the outbox relay and server.requested to the provisioner', async () => {
    const [requested] = (await client.published('server.requested')).filter(
      (e) => e.data.server.serverId === server.id,
    );
    expect(requested?.trace?.traceparent).toContain(traceId);
    expect(spansOf(traceId).map((s) => s.name)).toContain('consume server.requested');
  });

  it('makes each Kubernetes call of the creation a client span with its verb, resource and status code', () => {
    const name = `mc-${server.id}`;
    const calls = spansOf(traceId).filter((s) => s.name.startsWith('kube '));
    const applies = calls.filter(
      (s) => s.attributes['k8s.verb'] === 'apply' && s.attributes['k8s.object.name'] === name,
    );
    expect(applies.map((s) => s.attributes['k8s.resource']).sort()).toEqual(['services', 'statefulsets']);
    expect(calls.map((s) => s.name)).toEqual(expect.arrayContaining(['kube create secrets', 'kube patch secrets']));
    for (const call of calls) {
      expect(call.kind).toBe(SpanKind.CLIENT);
      expect(call.attributes['k8s.namespace.name']).toBe(GAME_NAMESPACE);
      expect(call.attributes['http.response.status_code']).toEqual(expect.any(Number));
    }
  });

  it('publishes pod.ready as a child of the creation, and the servers service receives it in that trace', async () => {
    expect(ready.spanContext().traceId).toBe(traceId);
    const [id] = await podReadyIds(server);
    const [envelope] = (await client.published('pod.ready')).filter((e) => e.id === id);
    expect(envelope?.trace?.traceparent).toContain(traceId);
  });

  it('continues the trace of a restart request instead, through the pod it replaces', async () => {
    const readies = (await podReadyIds(server)).length;
    const restart = await power(server, 'restart');
    restartTraceId = restart.traceId;
    const next = await nextPodReady(server, readies);
    expect(next.spanContext().traceId).toBe(restart.traceId);
    expect(spansOf(restart.traceId).map((s) => s.name)).toEqual(
      expect.arrayContaining(['consume server.power-requested', 'kube patch statefulsets', 'kube delete pods']),
    );
  });

  it('links a pod.ready the panel did not ask for (a pod deleted behind its back) to the request, in a trace of its own', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    const readies = (await podReadyIds(server)).length;
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: `mc-${server.id}-0`, namespace: GAME_NAMESPACE });
    const next = await nextPodReady(server, readies);
    const observe = spans.getFinishedSpans().find((s) => s.spanContext().spanId === next.parentSpanContext?.spanId);
    expect(observe?.name).toBe('observe pod.ready');
    expect(observe?.parentSpanContext).toBeUndefined();
    expect(observe?.links.map((l) => l.context.traceId)).toEqual([restartTraceId]);
  });
});
