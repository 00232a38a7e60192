// metrics.k8s.io: PodMetrics for every running pod and NodeMetrics for the node, refreshed
// on an interval like metrics-server. Usage is plausible, steady-ish and bounded by limits:
// a base per image, more for a game server with players online.
import { timestamp } from '../api/object-utils.js';
import { parseQuantity } from '../api/quantity.js';
import type { Store } from '../api/store.js';
import type { KubeObject } from '../api/types.js';
import { imageKind } from './container-runtime.js';
import type { Kubelet } from './kubelet.js';
import { NODE_NAME, nodeLabels } from './node.js';
import type { ContainerSpec } from './pod-types.js';
import type { PodWorker } from './pod-worker.js';
import { NODE_METRICS, POD_METRICS } from './refs.js';

const MiB = 2 ** 20;

function usageFor(spec: ContainerSpec, players: number): { cpuMillis: number; memoryBytes: number } {
  const minecraft = imageKind(spec.image) === 'minecraft';
  const noise = 0.9 + Math.random() * 0.2;
  let cpuMillis = (minecraft ? 60 + 25 * players : 1) * noise;
  let memoryBytes = (minecraft ? 900 * MiB + 40 * MiB * players : 1 * MiB) * noise;
  const cpuLimit = parseQuantity(spec.resources?.limits?.cpu);
  const memoryLimit = parseQuantity(spec.resources?.limits?.memory);
  if (cpuLimit !== undefined) cpuMillis = Math.min(cpuMillis, cpuLimit * 1000 * 0.95);
  if (memoryLimit !== undefined) memoryBytes = Math.min(memoryBytes, memoryLimit * 0.9);
  return { cpuMillis, memoryBytes };
}

const nanocores = (millis: number) => `${Math.round(millis * 1e6)}n`;
const kibibytes = (bytes: number) => `${Math.round(bytes / 1024)}Ki`;

/** A refresh yields the event loop this often, so 10,000 pods do not hold up the API server. */
const SLICE_MS = 5;

export class MetricsRecorder {
  private readonly timer: NodeJS.Timeout;
  private readonly written = new Set<string>();
  private round: NodeJS.Immediate | undefined;
  private refreshing = false;

  constructor(
    private readonly store: Store,
    private readonly kubelet: Kubelet,
    private readonly players: (worker: PodWorker) => number,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearImmediate(this.round);
  }

  /** One metrics-server scrape, in slices of a few milliseconds; a round still running is not overlapped. */
  refresh(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    const now = timestamp();
    const seen = new Set<string>();
    const node = { cpu: 0, memory: 0 };
    const workers = this.kubelet.workerList();
    let next = 0;
    const slice = () => {
      const until = performance.now() + SLICE_MS;
      for (; next < workers.length && performance.now() < until; next++) {
        const worker = workers[next];
        if (worker) this.scrape(worker, now, seen, node);
      }
      if (next < workers.length) this.round = setImmediate(slice);
      else this.finish(now, seen, node);
    };
    slice();
  }

  private scrape(worker: PodWorker, now: string, seen: Set<string>, node: { cpu: number; memory: number }): void {
    const running = worker.records.filter((r) => 'running' in r.state);
    if (!running.length) return;
    const key = `${worker.namespace}/${worker.name}`;
    seen.add(key);
    const containers = running.map((r) => {
      const usage = usageFor(r.spec, this.players(worker));
      node.cpu += usage.cpuMillis;
      node.memory += usage.memoryBytes;
      return { name: r.spec.name, usage: { cpu: nanocores(usage.cpuMillis), memory: kibibytes(usage.memoryBytes) } };
    });
    this.put(POD_METRICS, worker.namespace, worker.name, {
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name: worker.name, namespace: worker.namespace },
      timestamp: now,
      window: '15s',
      containers,
    });
  }

  private finish(now: string, seen: Set<string>, node: { cpu: number; memory: number }): void {
    this.refreshing = false;
    for (const key of this.written) {
      if (seen.has(key)) continue;
      const [namespace, name] = key.split('/') as [string, string];
      this.store.delete(POD_METRICS, namespace, name);
    }
    this.written.clear();
    for (const key of seen) this.written.add(key);
    this.put(NODE_METRICS, undefined, NODE_NAME, {
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'NodeMetrics',
      metadata: { name: NODE_NAME, labels: nodeLabels() },
      timestamp: now,
      window: '15s',
      usage: { cpu: nanocores(node.cpu + 150), memory: kibibytes(node.memory + 600 * MiB) },
    });
  }

  private put(ref: typeof POD_METRICS, namespace: string | undefined, name: string, body: KubeObject): void {
    try {
      const updated = this.store.mutate(ref, namespace, name, (current) => {
        for (const [k, v] of Object.entries(body)) if (k !== 'metadata') current[k] = v;
      });
      if (!updated) this.store.create(ref, body);
    } catch {
      // A namespace being deleted refuses new content; the pod goes with it.
    }
  }
}
