// The node agent: one PodWorker per pod bound to this node, each with its own loopback IP.
import type { Store, StoreEvent } from '../api/store.js';
import type { ContainerRuntime } from './container-runtime.js';
import type { EventRecorder } from './event-recorder.js';
import { IpPool } from './ip-pool.js';
import { NODE_NAME } from './node.js';
import { PodWorker, type KubeletTiming } from './pod-worker.js';
import { asPod, podName } from './pod-types.js';
import { objectKey, PODS, sameRef } from './refs.js';

export interface KubeletOptions {
  store: Store;
  events: EventRecorder;
  runtime: ContainerRuntime;
  stateDir: string;
  timing: KubeletTiming;
}

export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();
  private readonly stuck = new Set<string>();
  private readonly podIPs = new IpPool('127.10');

  constructor(private readonly opts: KubeletOptions) {}

  onEvent(ev: StoreEvent): void {
    if (!sameRef(ev.ref, PODS)) return;
    const pod = asPod(ev.object);
    if (pod.spec.nodeName !== NODE_NAME) return;
    const key = objectKey(pod.metadata.namespace, pod.metadata.name);
    const worker = this.workers.get(key);
    if (ev.type === 'DELETED') {
      if (worker && worker.uid === pod.metadata.uid) worker.kill();
      this.opts.events.forget(pod.metadata.uid);
      return;
    }
    if (worker && worker.uid === pod.metadata.uid) {
      worker.update(pod);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      this.opts.store.delete(PODS, pod.metadata.namespace, podName(pod), { gracePeriodSeconds: 0 });
      return;
    }
    const podIP = this.podIPs.allocate();
    const created = new PodWorker(pod, {
      ...this.opts,
      podIP,
      isStuck: () => this.stuck.has(key),
      onGone: () => {
        this.podIPs.release(podIP);
        if (this.workers.get(key) === created) this.workers.delete(key);
      },
    });
    this.workers.set(key, created);
    created.start();
  }

  worker(namespace: string, name: string): PodWorker | undefined {
    return this.workers.get(objectKey(namespace, name));
  }

  workerList(): PodWorker[] {
    return [...this.workers.values()];
  }

  setStuckTerminating(namespace: string, name: string, stuck: boolean): void {
    const key = objectKey(namespace, name);
    if (stuck) this.stuck.add(key);
    else {
      this.stuck.delete(key);
      this.workers.get(key)?.release();
    }
  }

  /** Kills every container and waits until they have all exited. */
  async stop(): Promise<void> {
    const workers = [...this.workers.values()];
    for (const worker of workers) worker.kill();
    await Promise.all(workers.flatMap((w) => w.records.flatMap((r) => (r.instance ? [r.instance.exited] : []))));
  }
}
