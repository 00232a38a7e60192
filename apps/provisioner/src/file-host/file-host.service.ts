import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PatchStrategy, setHeaderOptions, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import { DomainError, type FileHost, objectName, podName, volumeClaimName } from '@blockplane/contracts';
import { LOGGER, type Logger } from '@blockplane/observability';
import { KubeClient } from '../kube/kube-client.js';
import { PROVISIONER_CONFIG, type ProvisionerConfig } from '../provisioner.config.js';
import { FILE_HOST_CONFIG, type FileHostConfig } from './file-host.config.js';
import {
  FILE_HOST_CONTAINER,
  FILE_HOST_FIELD_MANAGER,
  FILE_HOST_SELECTOR,
  FILE_HOST_SERVER_LABEL,
  fileHostManifest,
  fileHostName,
  USED_AT,
} from './file-host.manifests.js';

const GAME_CONTAINER = 'minecraft';
const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function isRunning(pod: V1Pod | undefined, container: string): pod is V1Pod {
  if (!pod || pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') return false;
  return Boolean(pod.status.containerStatuses?.find((status) => status.name === container)?.state?.running);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Where the files service runs its exec for a server: the game pod while the server runs; otherwise a
 * helper pod mounting the server's volume, created on demand, kept while acquired (each acquire stamps
 * it), removed when idle and before the game pod starts (the volume is ReadWriteOnce). The lease lives
 * on the pod itself, so any provisioner replica and any restart sees the same state.
 */
@Injectable()
export class FileHostService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sweeper?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly kube: KubeClient,
    @Inject(PROVISIONER_CONFIG) private readonly provisioner: ProvisionerConfig,
    @Inject(FILE_HOST_CONFIG) private readonly config: FileHostConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(250, Math.min(this.config.idleMs / 4, 10_000));
    this.sweeper = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'file host sweep failed'))
        .finally(() => (this.sweeping = undefined));
    }, every);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await this.sweeping;
  }

  async acquire(serverId: string): Promise<FileHost> {
    const namespace = this.provisioner.namespace;
    const deadline = Date.now() + this.config.startTimeoutMs;
    for (let wait = 100; ; wait = Math.min(1_000, wait * 2)) {
      const statefulSet = await this.kube.find(() =>
        this.kube.apps.readNamespacedStatefulSet({ name: objectName(serverId), namespace }),
      );
      if (!statefulSet) throw new DomainError('NOT_FOUND', 'the server has no volume (yet)');
      const game = await this.kube.find(() => this.kube.core.readNamespacedPod({ name: podName(serverId), namespace }));
      const wantsGame = (statefulSet.spec?.replicas ?? 0) > 0;
      // A helper left from before a start is removed by the start's event and the sweep, never here.
      if (wantsGame) {
        if (isRunning(game, GAME_CONTAINER)) return this.host(serverId, 'game');
      } else if (!game) {
        const helper = await this.ensureHelper(serverId, statefulSet);
        if (isRunning(helper, FILE_HOST_CONTAINER)) return this.host(serverId, 'helper');
      }
      if (Date.now() > deadline) {
        throw new DomainError(
          'CONFLICT',
          wantsGame ? 'the server is starting: try again in a moment' : 'the server is stopping: try again in a moment',
        );
      }
      await sleep(wait);
    }
  }

  /** Removes the server's helper pod, if any (the game pod needs the volume). */
  async release(serverId: string): Promise<void> {
    const namespace = this.provisioner.namespace;
    await this.kube.remove(() => this.kube.core.deleteNamespacedPod({ name: fileHostName(serverId), namespace }));
  }

  /** Helpers idle past their time, of servers that run again, or whose server is gone, are removed. */
  async sweep(): Promise<void> {
    const namespace = this.provisioner.namespace;
    const { items } = await this.kube.call(() =>
      this.kube.core.listNamespacedPod({ namespace, labelSelector: FILE_HOST_SELECTOR }),
    );
    for (const helper of items) await this.sweepHelper(helper);
  }

  /** One helper as a sweep saw it; an idle one is removed only if nothing used it since (its version held). */
  async sweepHelper(helper: V1Pod): Promise<void> {
    const namespace = this.provisioner.namespace;
    const serverId = helper.metadata?.labels?.[FILE_HOST_SERVER_LABEL];
    if (!serverId || helper.metadata?.deletionTimestamp) return;
    const statefulSet = await this.kube.find(() =>
      this.kube.apps.readNamespacedStatefulSet({ name: objectName(serverId), namespace }),
    );
    if (!statefulSet || (statefulSet.spec?.replicas ?? 0) > 0) {
      this.logger.info({ serverId }, 'removing file host: its server runs or is gone');
      return this.release(serverId);
    }
    const usedAt = Date.parse(helper.metadata?.annotations?.[USED_AT] ?? '') || 0;
    if (Date.now() - usedAt <= this.config.idleMs) return;
    const name = fileHostName(serverId);
    const preconditions = { resourceVersion: helper.metadata?.resourceVersion };
    const removed = await this.kube.removeUnchanged(() =>
      this.kube.core.deleteNamespacedPod({ name, namespace, body: { preconditions } }),
    );
    if (removed) this.logger.info({ serverId }, 'removed idle file host');
  }

  /** The helper pod, created when missing; its use is stamped unless it was stamped a moment ago. */
  private async ensureHelper(serverId: string, statefulSet: V1StatefulSet): Promise<V1Pod | undefined> {
    const namespace = this.provisioner.namespace;
    const name = fileHostName(serverId);
    const usedAt = new Date().toISOString();
    const helper = await this.kube.find(() => this.kube.core.readNamespacedPod({ name, namespace }));
    if (helper?.metadata?.deletionTimestamp) return undefined; // going away: wait, then make a new one
    if (helper) {
      const stamped = Date.parse(helper.metadata?.annotations?.[USED_AT] ?? '') || 0;
      if (Date.now() - stamped < this.config.idleMs / 8) return helper;
      const body = { metadata: { annotations: { [USED_AT]: usedAt } } };
      return this.kube.call(() => this.kube.core.patchNamespacedPod({ name, namespace, body }, merge));
    }
    const claim = await this.kube.find(() =>
      this.kube.core.readNamespacedPersistentVolumeClaim({ name: volumeClaimName(serverId), namespace }),
    );
    if (!claim) throw new DomainError('NOT_FOUND', 'the server has no files yet: it has never been started');
    const body = fileHostManifest({
      serverId,
      namespace,
      image: this.config.image,
      uid: this.config.uid,
      gid: this.config.gid,
      owner: { name: objectName(serverId), uid: statefulSet.metadata?.uid ?? '' },
      usedAt,
    });
    this.logger.info({ serverId }, 'starting file host');
    return this.kube.call(() =>
      this.kube.core.patchNamespacedPod(
        { name, namespace, body, fieldManager: FILE_HOST_FIELD_MANAGER, force: true },
        apply,
      ),
    );
  }

  private host(serverId: string, kind: FileHost['kind']): FileHost {
    return {
      namespace: this.provisioner.namespace,
      pod: kind === 'game' ? podName(serverId) : fileHostName(serverId),
      container: kind === 'game' ? GAME_CONTAINER : FILE_HOST_CONTAINER,
      kind,
      owner: `${this.config.uid}:${this.config.gid}`,
      leaseMs: this.config.idleMs,
    };
  }
}
