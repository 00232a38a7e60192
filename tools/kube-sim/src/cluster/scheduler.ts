// Binds pending pods to the one node when their requests fit what is left of its capacity.
// Allocations are tallied incrementally from Store events so a bind costs O(1), not O(pods).
import type { KubeObject, Store, StoreEvent } from '../api/store.js';
import { timestamp } from '../api/object-utils.js';
import type { EventRecorder } from './event-recorder.js';
import { capacityNumbers, NODE_NAME, nodeLabels, type NodeCapacity } from './node.js';
import { podRequests, type PodRequests } from './pod-resources.js';
import { asPod, isTerminalPhase, type Pod, type PodCondition } from './pod-types.js';
import { objectKey, PODS, sameRef } from './refs.js';
import { WorkQueue } from './work-queue.js';

const source = { component: 'default-scheduler' };

export class Scheduler {
  private capacity: { cpu: number; memory: number; pods: number };
  private readonly allocated = new Map<string, PodRequests>(); // bound, non-terminal pods
  private readonly used = { cpu: 0, memory: 0, pods: 0 };
  private readonly unscheduled = new Set<string>(); // in arrival order
  private readonly lastFailure = new Map<string, string>();
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: Store,
    private readonly events: EventRecorder,
    capacity: NodeCapacity,
    onError: (key: string, error: unknown) => void,
  ) {
    this.capacity = capacityNumbers(capacity);
    this.queue = new WorkQueue(() => this.scheduleAll(), onError);
    for (const pod of store.list(PODS).items) this.observe(asPod(pod), false);
    this.queue.add('all');
  }

  setCapacity(capacity: NodeCapacity): void {
    this.capacity = capacityNumbers(capacity);
    this.queue.add('all');
  }

  onEvent(ev: StoreEvent): void {
    if (!sameRef(ev.ref, PODS)) return;
    this.observe(asPod(ev.object), ev.type === 'DELETED');
  }

  stop(): void {
    this.queue.stop();
  }

  private observe(pod: Pod, deleted: boolean): void {
    const key = objectKey(pod.metadata.namespace, pod.metadata.name);
    const bound = !!pod.spec.nodeName;
    const counts = bound && !deleted && !isTerminalPhase(pod);
    if (counts && !this.allocated.has(key)) this.allocate(key, podRequests(pod));
    if (!counts && this.allocated.has(key)) {
      this.release(key);
      this.queue.add('all');
    }
    const waiting =
      !bound &&
      !deleted &&
      !pod.metadata.deletionTimestamp &&
      (pod.spec.schedulerName ?? 'default-scheduler') === 'default-scheduler';
    if (waiting && !this.unscheduled.has(key)) {
      this.unscheduled.add(key);
      this.queue.add('all');
    } else if (!waiting) {
      this.unscheduled.delete(key);
      if (deleted) this.lastFailure.delete(key);
    }
  }

  private allocate(key: string, requests: PodRequests): void {
    this.allocated.set(key, requests);
    this.used.cpu += requests.cpu;
    this.used.memory += requests.memory;
    this.used.pods += 1;
  }

  private release(key: string): void {
    const requests = this.allocated.get(key);
    if (!requests) return;
    this.allocated.delete(key);
    this.used.cpu -= requests.cpu;
    this.used.memory -= requests.memory;
    this.used.pods -= 1;
  }

  private scheduleAll(): void {
    for (const key of [...this.unscheduled]) {
      const [namespace, name] = key.split('/') as [string, string];
      const obj = this.store.get(PODS, namespace, name);
      if (!obj) {
        this.unscheduled.delete(key);
        continue;
      }
      this.scheduleOne(key, asPod(obj));
    }
  }

  private scheduleOne(key: string, pod: Pod): void {
    const requests = podRequests(pod);
    const problems = this.misfits(pod, requests);
    if (problems.length) {
      this.markUnschedulable(key, pod, `0/1 nodes are available: ${problems.join(', ')}.`);
      return;
    }
    this.unscheduled.delete(key);
    this.lastFailure.delete(key);
    this.allocate(key, requests);
    this.store.mutate(PODS, pod.metadata.namespace, pod.metadata.name ?? '', (obj) => {
      (obj as Pod).spec.nodeName = NODE_NAME;
    });
    this.writeScheduled(pod, { status: 'True' });
    this.events.record(
      source,
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${NODE_NAME}`,
    );
  }

  /** Upstream's per-plugin reasons, sorted as its FitError prints them. */
  private misfits(pod: Pod, requests: PodRequests): string[] {
    const problems: string[] = [];
    const labels = nodeLabels();
    if (Object.entries(pod.spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) {
      problems.push("1 node(s) didn't match Pod's node affinity/selector");
    }
    if (requests.cpu > 0 && this.used.cpu + requests.cpu > this.capacity.cpu) problems.push('1 Insufficient cpu');
    if (requests.memory > 0 && this.used.memory + requests.memory > this.capacity.memory)
      problems.push('1 Insufficient memory');
    if (this.used.pods + 1 > this.capacity.pods) problems.push('1 Too many pods');
    return problems.sort();
  }

  private markUnschedulable(key: string, pod: Pod, message: string): void {
    if (this.lastFailure.get(key) === message) return;
    this.lastFailure.set(key, message);
    this.writeScheduled(pod, { status: 'False', reason: 'Unschedulable', message });
    this.events.record(source, pod, 'Warning', 'FailedScheduling', message);
  }

  /** The PodScheduled condition; a pod that does not fit stays Pending. */
  private writeScheduled(pod: Pod, condition: Pick<PodCondition, 'status' | 'reason' | 'message'>): void {
    const now = timestamp();
    const update = (obj: KubeObject) => {
      const status = ((obj as Pod).status ??= {});
      if (condition.status === 'False') status.phase = 'Pending';
      status.conditions = withCondition(status.conditions, {
        type: 'PodScheduled',
        ...condition,
        lastProbeTime: null,
        lastTransitionTime: now,
      });
    };
    this.store.mutate(PODS, pod.metadata.namespace, pod.metadata.name ?? '', update, { subresource: 'status' });
  }
}

/** Sets a condition, keeping its lastTransitionTime when the status did not change. */
export function withCondition(conditions: PodCondition[] | undefined, next: PodCondition): PodCondition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const current = index >= 0 ? list[index] : undefined;
  const merged =
    current && current.status === next.status ? { ...next, lastTransitionTime: current.lastTransitionTime } : next;
  if (index >= 0) list[index] = merged;
  else list.push(merged);
  return list;
}
