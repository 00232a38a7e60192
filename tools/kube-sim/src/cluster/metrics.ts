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

export class MetricsRecorder {
  private readonly timer: NodeJS.Timeout;
  private readonly written = new Set<string>();

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
  }

  refresh(): void {
    const now = timestamp();
    const seen = new Set<string>();
    let nodeCpu = 0;
    let nodeMemory = 0;
    for (const worker of this.kubelet.workerList()) {
      const running = worker.records.filter((r) => 'running' in r.state);
      if (!running.length) continue;
      const key = `${worker.namespace}/${worker.name}`;
      seen.add(key);
      const containers = running.map((r) => {
        const usage = usageFor(r.spec, this.players(worker));
        nodeCpu += usage.cpuMillis;
        nodeMemory += usage.memoryBytes;
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
      usage: { cpu: nanocores(nodeCpu + 150), memory: kibibytes(nodeMemory + 600 * MiB) },
    });
  }

  private put(ref: typeof POD_METRICS, namespace: string | undefined, name: string, body: KubeObject): void {
    try {
      if (!this.store.get(ref, namespace, name)) {
        this.store.create(ref, body);
        return;
      }
      this.store.mutate(ref, namespace, name, (current) => {
        for (const [k, v] of Object.entries(body)) if (k !== 'metadata') current[k] = v;
      });
    } catch {
      // A namespace being deleted refuses new content; the pod goes with it.
    }
  }
}
