import { MANAGED_SELECTOR } from '@blockplane/contracts';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ListWatch, type V1Pod, Watch } from '@kubernetes/client-node';
import { LOGGER, type Logger } from '@blockplane/observability';
import { backoffMs } from '../backoff.js';
import { KubeApi } from './kube-api.js';
import { serverIdOf } from './game-pod.js';

export type PodListener = (pod: V1Pod | undefined) => void;

/**
 * The game servers' pods, from one watch of the namespace (never a poll per server): a stream learns
 * of its container's restart, a command finds the pod's address.
 * client-node stops an informer on any error but 410, so it is restarted with back-off.
 */
@Injectable()
export class GamePods implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly byServer = new Map<string, V1Pod>();
  private readonly listeners = new Map<string, Set<PodListener>>();
  private readonly informer: ListWatch<V1Pod>;
  private readonly synced: Promise<void>;
  private markSynced!: () => void;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly kube: KubeApi,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
    const namespace = kube.namespace;
    const list = async () => {
      const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR });
      this.failures = 0;
      return pods;
    };
    const path = `/api/v1/namespaces/${namespace}/pods`;
    this.informer = new ListWatch(path, new Watch(kube.kubeConfig), list, false, MANAGED_SELECTOR);
    this.informer.on('add', (pod) => this.set(pod));
    this.informer.on('update', (pod) => this.set(pod));
    this.informer.on('delete', (pod) => this.remove(pod));
    this.informer.on('error', (error: unknown) => this.restart(error));
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  /** Resolves once the pods have been listed (or at once, if they were). */
  whenSynced(): Promise<void> {
    return this.synced;
  }

  get(serverId: string): V1Pod | undefined {
    return this.byServer.get(serverId);
  }

  /** Calls `listener` with the server's pod (undefined once gone) on every change; returns the unsubscribe. */
  watch(serverId: string, listener: PodListener): () => void {
    const set = this.listeners.get(serverId) ?? new Set();
    this.listeners.set(serverId, set.add(listener));
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(serverId) === set) this.listeners.delete(serverId);
    };
  }

  private start(): void {
    this.informer
      .start()
      .then(() => {
        if (this.informer.latestResourceVersion()) this.markSynced();
      })
      .catch((error: unknown) => this.restart(error));
  }

  private restart(error: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    this.logger.warn({ err: error, failures: this.failures }, 'pod informer stopped; restarting');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.start(), backoffMs(this.failures, { baseMs: 250, maxMs: 10_000 }));
  }

  private set(pod: V1Pod): void {
    const serverId = serverIdOf(pod);
    if (!serverId) return;
    this.byServer.set(serverId, pod);
    this.notify(serverId, pod);
  }

  private remove(pod: V1Pod): void {
    const serverId = serverIdOf(pod);
    if (!serverId || this.byServer.get(serverId)?.metadata?.uid !== pod.metadata?.uid) return;
    this.byServer.delete(serverId);
    this.notify(serverId, undefined);
  }

  private notify(serverId: string, pod: V1Pod | undefined): void {
    for (const listener of this.listeners.get(serverId) ?? []) listener(pod);
  }
}
