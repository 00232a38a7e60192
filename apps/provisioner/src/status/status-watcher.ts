import { MANAGED_SELECTOR, objectName, podName, SERVER_ID_LABEL } from '@blockplane/contracts';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  type CoreV1Event,
  type Informer,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  type ObjectCache,
  type V1Pod,
  type V1Service,
  type V1StatefulSet,
  Watch,
} from '@kubernetes/client-node';
import { LOGGER, type Logger } from '@blockplane/observability';
import { backoffMs } from '../kube/retry.util.js';
import { KubeClient } from '../kube/kube-client.js';
import { PROVISIONER_CONFIG, type ProvisionerConfig } from '../provisioner.config.js';
import { ServerStatusService } from './server-status.service.js';

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/** Warning Events about pods: where the scheduler explains a pod its own status leaves unexplained. */
const POD_WARNINGS = 'involvedObject.kind=Pod,type=Warning';

/**
 * Watches (never polls) our pods, StatefulSets, Services and the Warning Events about our pods, and hands
 * every change to the status service as it happens: observing makes no Kubernetes call, so it never waits
 * behind the provisioner's writes. client-node stops an informer on any error but 410, so each is
 * restarted with back-off.
 */
@Injectable()
export class StatusWatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly pods: Watched<V1Pod>;
  private readonly statefulSets: Watched<V1StatefulSet>;
  private readonly services: Watched<V1Service>;
  private readonly events: Watched<CoreV1Event>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly restarts = new Map<object, (error: unknown) => void>();
  private stopped = false;

  constructor(
    private readonly kube: KubeClient,
    private readonly status: ServerStatusService,
    @Inject(PROVISIONER_CONFIG) private readonly config: ProvisionerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const namespace = config.namespace;
    const labelSelector = MANAGED_SELECTOR;
    const { core, apps } = kube;
    this.pods = this.inform('pods', `/api/v1/namespaces/${namespace}/pods`, () =>
      core.listNamespacedPod({ namespace, labelSelector }),
    );
    this.statefulSets = this.inform('statefulsets', `/apis/apps/v1/namespaces/${namespace}/statefulsets`, () =>
      apps.listNamespacedStatefulSet({ namespace, labelSelector }),
    );
    this.services = this.inform('services', `/api/v1/namespaces/${namespace}/services`, () =>
      core.listNamespacedService({ namespace, labelSelector }),
    );
    const fieldSelector = POD_WARNINGS;
    this.events = this.inform(
      'events',
      `/api/v1/namespaces/${namespace}/events`,
      () => core.listNamespacedEvent({ namespace, fieldSelector }),
      { fieldSelector },
    );
    this.statefulSets.on('delete', (sts) => this.status.forget(serverIdOf(sts) ?? ''));
  }

  onApplicationBootstrap(): void {
    for (const informer of this.informers()) this.start(informer, 0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.informers().map((informer) => informer.stop()));
  }

  /** Re-evaluates every server the informers know: the reconciler's safety net for a lost publish. */
  async refreshAll(): Promise<void> {
    for (const sts of this.statefulSets.list(this.config.namespace)) {
      const serverId = serverIdOf(sts);
      if (serverId) await this.refresh(serverId);
    }
  }

  private informers(): Watched<KubernetesObject>[] {
    return [this.pods, this.statefulSets, this.services, this.events];
  }

  /** Reads the caches now: the view is stamped as observed at this moment. */
  private refresh(serverId: string): Promise<void> {
    const namespace = this.config.namespace;
    const name = objectName(serverId);
    const pod = podName(serverId);
    // Lookups by name: a scan of every pod on every change would make a busy cluster quadratic.
    const current = this.pods.get(pod, namespace);
    return this.status.refresh(serverId, {
      statefulSet: this.statefulSets.get(name, namespace),
      service: this.services.get(name, namespace),
      pods: current ? [current] : [],
      events: this.events.list(namespace).filter((e) => e.involvedObject.name === pod),
    });
  }

  private inform<T extends KubernetesObject>(
    resource: string,
    path: string,
    list: () => Promise<KubernetesListObject<T>>,
    selectors: { labelSelector?: string; fieldSelector?: string } = { labelSelector: MANAGED_SELECTOR },
  ): Watched<T> {
    let failures = 0;
    const listed = async () => {
      const result = await this.kube.call(list);
      failures = 0;
      return result;
    };
    const watch = new Watch(this.kube.kubeConfig);
    const { labelSelector, fieldSelector } = selectors;
    const informer = new ListWatch<T>(path, watch, listed, false, labelSelector, fieldSelector);
    const changed = (object: T) => {
      const serverId = serverIdOf(object);
      if (serverId) void this.refresh(serverId);
    };
    for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, changed);
    this.restarts.set(informer, (error: unknown) => {
      failures++;
      this.logger.warn({ err: error, resource, failures }, 'informer stopped; restarting');
      this.start(informer, backoffMs(failures, undefined, { baseMs: 250, maxMs: 10_000 }));
    });
    informer.on('error', (error: unknown) => this.restarts.get(informer)?.(error));
    return informer;
  }

  private start(informer: Watched<KubernetesObject>, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      // A failed list is reported through 'error'; a failed watch request rejects start() instead.
      informer.start().catch((error: unknown) => this.restarts.get(informer)?.(error));
    }, delayMs);
    this.timers.add(timer);
  }
}

/** Our objects carry the server's label; an Event names the pod it is about (`mc-<serverId>-0`). */
function serverIdOf(object: KubernetesObject): string | undefined {
  const involved = (object as Partial<CoreV1Event>).involvedObject;
  if (involved) return /^mc-(.+)-0$/.exec(involved.name ?? '')?.[1];
  return object.metadata?.labels?.[SERVER_ID_LABEL];
}
