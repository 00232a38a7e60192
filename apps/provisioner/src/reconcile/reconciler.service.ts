import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { KubernetesObject } from '@kubernetes/client-node';
import { type ServerSpec, objectName, SERVER_ID_LABEL } from '@blockplane/contracts';
import { EventPublisher, RpcClient } from '@blockplane/messaging';
import { inSpan, LOGGER, type Logger, ROOT_CONTEXT, SpanKind } from '@blockplane/observability';
import { GameServerRepository, type ManagedObjects } from '../game/game-server.repository.js';
import { ProvisioningService } from '../game/provisioning.service.js';
import { PROVISIONER_CONFIG, type ProvisionerConfig } from '../provisioner.config.js';
import { ProvisionerMetrics } from '../provisioner.metrics.js';
import { StatusWatcher } from '../status/status-watcher.js';

/**
 * Level-triggered repair, at start-up and every RECONCILE_INTERVAL_MS: whatever events were lost,
 * the cluster converges on the servers service's desired state.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** When each object without a server was first seen; removed once older than the grace period. */
  private readonly orphansSince = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly rpc: RpcClient,
    private readonly repository: GameServerRepository,
    private readonly provisioning: ProvisioningService,
    private readonly publisher: EventPublisher,
    private readonly watcher: StatusWatcher,
    private readonly metrics: ProvisionerMetrics,
    @Inject(PROVISIONER_CONFIG) private readonly config: ProvisionerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass, a trace of its own; never throws (failures are counted and logged, the next pass tries again). */
  reconcile(): Promise<void> {
    return inSpan('reconcile', { kind: SpanKind.INTERNAL, parent: ROOT_CONTEXT }, () => this.pass());
  }

  private async pass(): Promise<void> {
    this.metrics.reconcileRuns.inc();
    try {
      await this.repository.ensureNamespace();
      const actual = await this.repository.listManaged();
      const known = new Set<string>();
      let cursor: string | undefined;
      // Page by page; a failed page throws, so objects are removed only after a complete walk.
      do {
        const page = await this.rpc.request('servers.desired-state', cursor === undefined ? {} : { cursor });
        for (const spec of page.servers) {
          known.add(spec.serverId);
          await this.repairServer(spec, actual);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      await this.removeOrphans(known, actual);
      await this.watcher.refreshAll();
    } catch (error) {
      this.metrics.reconcileErrors.inc();
      this.logger.warn({ err: error }, 'reconciliation failed; retrying at the next pass');
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.reconcile().finally(() => this.schedule(this.config.reconcileIntervalMs));
    }, delayMs);
  }

  private async repairServer(spec: ServerSpec, actual: ManagedObjects): Promise<void> {
    const name = objectName(spec.serverId);
    const has = (objects: KubernetesObject[]) => objects.some((o) => o.metadata?.name === name);
    try {
      if (spec.desiredState === 'deleted') {
        if (has(actual.statefulSets) || has(actual.services) || has(actual.secrets) || has(actual.claims)) {
          await this.provisioning.remove(spec.serverId);
        } else {
          // Nothing left: say so again, in case the first server.deleted was lost.
          await this.publisher.publish('server.deleted', {
            serverId: spec.serverId,
            observedAt: new Date().toISOString(),
          });
        }
        return;
      }
      const replicas = spec.desiredState === 'running' ? 1 : 0;
      const statefulSet = actual.statefulSets.find((o) => o.metadata?.name === name);
      const current = statefulSet && this.repository.isCurrent(statefulSet, spec, replicas);
      if (!current || !has(actual.services) || !has(actual.secrets)) {
        this.logger.info({ serverId: spec.serverId }, 'repairing a server that differs from its desired state');
        await this.provisioning.apply(spec, replicas);
      }
    } catch (error) {
      this.metrics.reconcileErrors.inc();
      this.logger.warn({ err: error, serverId: spec.serverId }, 'could not repair server');
    }
  }

  private async removeOrphans(known: Set<string>, actual: ManagedObjects): Promise<void> {
    const now = Date.now();
    const orphans = new Set<string>();
    for (const object of [...actual.statefulSets, ...actual.services, ...actual.secrets, ...actual.claims]) {
      const serverId = object.metadata?.labels?.[SERVER_ID_LABEL];
      if (serverId && !known.has(serverId)) orphans.add(serverId);
    }
    for (const serverId of this.orphansSince.keys()) if (!orphans.has(serverId)) this.orphansSince.delete(serverId);
    for (const serverId of orphans) {
      const since = this.orphansSince.get(serverId) ?? now;
      this.orphansSince.set(serverId, since);
      if (now - since < this.config.orphanGraceMs) continue;
      this.logger.info({ serverId }, 'removing objects of a server that does not exist');
      await this.repository.deleteAll(serverId);
      this.orphansSince.delete(serverId);
    }
  }
}
