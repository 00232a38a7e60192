// The cluster behind the API: node, scheduler, StatefulSet controller, volume binder,
// kubelet with its container runtime, kube-proxy, metrics, and the pods/log and
// pods/exec endpoints, all driven by the Store's event feed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Store, StoreEvent } from '../api/store.js';
import { ContainerRuntime } from './container-runtime.js';
import { EventRecorder } from './event-recorder.js';
import { Kubelet } from './kubelet.js';
import { MetricsRecorder } from './metrics.js';
import { ensureNode, type NodeCapacity } from './node.js';
import { PodExecHandler } from './pod-exec.handler.js';
import { podLogHandler } from './pod-log.handler.js';
import { Scheduler } from './scheduler.js';
import { PODS, sameRef } from './refs.js';
import { ServiceProxy } from './service-proxy.js';
import { StatefulSetController } from './statefulset.controller.js';
import { StreamRegistry } from './stream-registry.js';
import { VolumeBinder } from './volume-binder.controller.js';

type SubresourceTarget = { namespace: string; name: string; query: URLSearchParams };

/** The extension points of the API server (A1) the cluster plugs into. */
export interface ApiServer {
  registerSubresource(
    plural: 'pods',
    sub: 'log' | 'exec',
    handler: (req: IncomingMessage, res: ServerResponse, target: SubresourceTarget) => void | Promise<void>,
  ): void;
  registerUpgrade(
    plural: 'pods',
    sub: 'exec',
    handler: (req: IncomingMessage, socket: Duplex, head: Buffer, target: SubresourceTarget) => void,
  ): void;
}

export interface ClusterOptions {
  store: Store;
  api: ApiServer;
  stateDir: string;
  capacity: NodeCapacity;
  startDelayMs: [min: number, max: number];
  /** Where emulated game servers listen instead of 25565 / 25575 (e.g. free ports, for parallel simulators). */
  gamePort?: number;
  rconPort?: number;
  /** CrashLoopBackOff / ImagePullBackOff base delay, doubled per failure (upstream 10 s). */
  backOffBaseMs?: number;
  /** Cap of the back-off (upstream 5 min). */
  backOffMaxMs?: number;
  /** How often PodMetrics/NodeMetrics are refreshed (metrics-server's 15 s resolution). */
  metricsIntervalMs?: number;
}

export interface ClusterControl {
  crashPod(namespace: string, name: string, opts?: { oomKill?: boolean }): void;
  setStuckTerminating(namespace: string, name: string, stuck: boolean): void;
  cutStreams(kind: 'log' | 'exec', namespace?: string, name?: string): number;
  /** How many log follows or exec sessions are open now. */
  countStreams(kind: 'log' | 'exec', namespace?: string): number;
  setCapacity(capacity: Partial<NodeCapacity>): void;
  addPlayer(namespace: string, pod: string, player: string): void;
  removePlayer(namespace: string, pod: string, player: string): void;
  /** Lines the pod's running container prints, as if its process wrote them; how many (0 when none runs). */
  writeLog(namespace: string, pod: string, lines: readonly string[]): number;
}

export function startCluster(opts: ClusterOptions): { control: ClusterControl; stop(): Promise<void> } {
  const { store } = opts;
  let capacity = { ...opts.capacity };
  const onError = (key: string, error: unknown) => console.error(`kube-sim cluster: ${key}:`, error);
  ensureNode(store, capacity);
  const events = new EventRecorder(store);
  const runtime = new ContainerRuntime({ gamePort: opts.gamePort, rconPort: opts.rconPort });
  const kubelet = new Kubelet({
    store,
    events,
    runtime,
    stateDir: opts.stateDir,
    timing: {
      startDelayMs: opts.startDelayMs,
      backOffBaseMs: opts.backOffBaseMs ?? 10_000,
      backOffMaxMs: opts.backOffMaxMs ?? 300_000,
    },
  });
  const scheduler = new Scheduler(store, events, capacity, onError);
  const statefulSets = new StatefulSetController(store, events, onError);
  const volumes = new VolumeBinder(store, opts.stateDir);
  const proxy = new ServiceProxy(
    store,
    (pod, container, port) =>
      kubelet.worker(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '')?.hostPort(container, port) ?? port,
    onError,
  );
  const players = new Map<string, Set<string>>(); // by pod key
  const metrics = new MetricsRecorder(
    store,
    kubelet,
    (w) => players.get(`${w.namespace}/${w.name}`)?.size ?? 0,
    opts.metricsIntervalMs ?? 15_000,
  );
  const streams = new StreamRegistry();
  const exec = new PodExecHandler(store, kubelet, streams);

  const unsubscribe = store.subscribe((ev: StoreEvent) => {
    try {
      scheduler.onEvent(ev);
      volumes.onEvent(ev);
      kubelet.onEvent(ev);
      statefulSets.onEvent(ev);
      proxy.onEvent(ev);
      if (ev.type === 'DELETED' && sameRef(ev.ref, PODS))
        players.delete(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
    } catch (error) {
      onError(`${ev.ref.plural}/${ev.object.metadata.name}`, error);
    }
  });
  // Pods that were bound before the cluster started (e.g. a restored store) get a worker now.
  for (const pod of store.list(PODS).items) kubelet.onEvent({ type: 'ADDED', ref: PODS, object: pod });

  opts.api.registerSubresource('pods', 'log', podLogHandler(kubelet, streams));
  opts.api.registerSubresource('pods', 'exec', exec.plainRequest);
  opts.api.registerUpgrade('pods', 'exec', exec.upgrade);

  const instance = (namespace: string, pod: string) =>
    kubelet.worker(namespace, pod)?.records.find((r) => 'running' in r.state)?.instance;

  const control: ClusterControl = {
    crashPod: (namespace, name, o) => kubelet.worker(namespace, name)?.crash(o?.oomKill ?? false),
    setStuckTerminating: (namespace, name, stuck) => kubelet.setStuckTerminating(namespace, name, stuck),
    cutStreams: (kind, namespace, name) => streams.cut(kind, namespace, name),
    countStreams: (kind, namespace) => streams.count(kind, namespace),
    setCapacity: (partial) => {
      capacity = { ...capacity, ...partial };
      ensureNode(store, capacity);
      scheduler.setCapacity(capacity);
    },
    addPlayer: (namespace, pod, player) => {
      instance(namespace, pod)?.addPlayer(player);
      const key = `${namespace}/${pod}`;
      players.set(key, (players.get(key) ?? new Set()).add(player));
    },
    removePlayer: (namespace, pod, player) => {
      instance(namespace, pod)?.removePlayer(player);
      players.get(`${namespace}/${pod}`)?.delete(player);
    },
    writeLog: (namespace, pod, lines) => {
      const logs = instance(namespace, pod)?.logs;
      if (!logs) return 0;
      for (const line of lines) logs.append(line);
      return lines.length;
    },
  };

  return {
    control,
    async stop() {
      unsubscribe();
      scheduler.stop();
      statefulSets.stop();
      metrics.stop();
      streams.cutAll();
      exec.close();
      await Promise.all([kubelet.stop(), proxy.stop()]);
    },
  };
}
