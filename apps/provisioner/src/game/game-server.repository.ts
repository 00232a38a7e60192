import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  PatchStrategy,
  setHeaderOptions,
  type V1PersistentVolumeClaim,
  type V1Secret,
  type V1Service,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { MANAGED_SELECTOR, objectName, podName, type ServerSpec, volumeClaimName } from '@blockplane/contracts';
import { currentTraceHeaders } from '@blockplane/observability';
import { KubeClient, statusOf } from '../kube/kube-client.js';
import { PROVISIONER_CONFIG, type ProvisionerConfig } from '../provisioner.config.js';
import {
  FIELD_MANAGER,
  type OwnerRef,
  ownerReferencesFor,
  sameSpec,
  secretManifest,
  serviceManifest,
  statefulSetManifest,
  tracePatch,
} from './game-server.manifests.js';

const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface ManagedObjects {
  statefulSets: V1StatefulSet[];
  services: V1Service[];
  secrets: V1Secret[];
  claims: V1PersistentVolumeClaim[];
}

/** A game server's Kubernetes objects: each step idempotent, re-reading before it writes. */
@Injectable()
export class GameServerRepository {
  private readonly namespace: string;
  private namespaceReady?: Promise<void>;

  constructor(
    private readonly kube: KubeClient,
    @Inject(PROVISIONER_CONFIG) private readonly config: ProvisionerConfig,
  ) {
    this.namespace = config.namespace;
  }

  /** Once per process (again after a failure): events may arrive before the reconciler's first pass. */
  ensureNamespace(): Promise<void> {
    this.namespaceReady ??= this.createNamespace().catch((error: unknown) => {
      this.namespaceReady = undefined;
      throw error;
    });
    return this.namespaceReady;
  }

  private async createNamespace(): Promise<void> {
    const name = this.namespace;
    // Read first: a provisioner may be allowed to use a namespace an operator made, but not to create one.
    if (await this.kube.find(() => this.kube.core.readNamespace({ name }))) return;
    await this.kube.create(() => this.kube.core.createNamespace({ body: { metadata: { name } } }));
  }

  /** Creates the RCON password once (create first: no read): an existing Secret is never rotated. */
  async ensureSecret(spec: ServerSpec): Promise<void> {
    const namespace = this.namespace;
    const body = secretManifest(spec, namespace, randomBytes(18).toString('base64url'));
    await this.kube.create(() => this.kube.core.createNamespacedSecret({ namespace, body }));
  }

  ensureStatefulSet(spec: ServerSpec, replicas: number): Promise<V1StatefulSet> {
    const { name, namespace } = this.ref(spec.serverId);
    const body = statefulSetManifest(spec, namespace, this.config.image, replicas, currentTraceHeaders());
    return this.kube.call(() =>
      this.kube.apps.patchNamespacedStatefulSet(
        { name, namespace, body, fieldManager: FIELD_MANAGER, force: true },
        apply,
      ),
    );
  }

  /** Whether a StatefulSet in the cluster already runs `spec` with `replicas`. */
  isCurrent(actual: V1StatefulSet, spec: ServerSpec, replicas: number): boolean {
    const wanted = statefulSetManifest(spec, this.namespace, this.config.image, replicas);
    return actual.spec?.replicas === replicas && sameSpec(actual, wanted);
  }

  /**
   * The Secret is created before its owner exists (pods need it at once); it is adopted afterwards.
   * A merge patch sets the whole list, so it needs no read and is a no-op when already adopted.
   */
  async adoptSecret(spec: ServerSpec, owner: OwnerRef): Promise<void> {
    const { name, namespace } = this.ref(spec.serverId);
    const body = { metadata: ownerReferencesFor(spec, owner) };
    try {
      await this.kube.call(() => this.kube.core.patchNamespacedSecret({ name, namespace, body }, merge));
    } catch (error) {
      if (statusOf(error) !== 404) throw error; // deleted meanwhile: the next pass recreates it
    }
  }

  async ensureService(spec: ServerSpec, owner: OwnerRef): Promise<void> {
    const { name, namespace } = this.ref(spec.serverId);
    const exposure = { type: this.config.serviceType, port: this.config.servicePort };
    const body = serviceManifest(spec, namespace, exposure, owner);
    await this.kube.call(() =>
      this.kube.core.patchNamespacedService({ name, namespace, body, fieldManager: FIELD_MANAGER, force: true }, apply),
    );
  }

  /**
   * Restart (the StatefulSet recreates the pod) or, with a grace period of 0, kill. The request's trace is
   * recorded first, so that the new pod's observations continue it.
   */
  async deletePod(serverId: string, gracePeriodSeconds?: number): Promise<void> {
    const { name: statefulSet, namespace } = this.ref(serverId);
    const trace = currentTraceHeaders();
    if (trace['traceparent']) {
      const body = tracePatch(trace);
      try {
        await this.kube.call(() =>
          this.kube.apps.patchNamespacedStatefulSet({ name: statefulSet, namespace, body }, merge),
        );
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
    const name = podName(serverId);
    return this.kube.remove(() =>
      this.kube.core.deleteNamespacedPod({
        name,
        namespace,
        ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
      }),
    );
  }

  /** Deletes every object of the server, its volume included; `isGone` tells when they have disappeared. */
  async deleteAll(serverId: string): Promise<void> {
    const { name, namespace } = this.ref(serverId);
    const propagationPolicy = 'Background';
    await this.kube.remove(() => this.kube.apps.deleteNamespacedStatefulSet({ name, namespace, propagationPolicy }));
    await this.kube.remove(() => this.kube.core.deleteNamespacedService({ name, namespace }));
    await this.kube.remove(() => this.kube.core.deleteNamespacedSecret({ name, namespace }));
    const claim = volumeClaimName(serverId);
    await this.kube.remove(() => this.kube.core.deleteNamespacedPersistentVolumeClaim({ name: claim, namespace }));
  }

  async isGone(serverId: string): Promise<boolean> {
    const { name, namespace } = this.ref(serverId);
    const { core, apps } = this.kube;
    const lookups: Array<() => Promise<unknown>> = [
      () => apps.readNamespacedStatefulSet({ name, namespace }),
      () => core.readNamespacedService({ name, namespace }),
      () => core.readNamespacedSecret({ name, namespace }),
      () => core.readNamespacedPod({ name: podName(serverId), namespace }),
      () => core.readNamespacedPersistentVolumeClaim({ name: volumeClaimName(serverId), namespace }),
    ];
    for (const lookup of lookups) if (await this.kube.find(lookup)) return false;
    return true;
  }

  async listManaged(): Promise<ManagedObjects> {
    const namespace = this.namespace;
    const labelSelector = MANAGED_SELECTOR;
    const { core, apps } = this.kube;
    const [statefulSets, services, secrets, claims] = await Promise.all([
      this.kube.call(() => apps.listNamespacedStatefulSet({ namespace, labelSelector })),
      this.kube.call(() => core.listNamespacedService({ namespace, labelSelector })),
      this.kube.call(() => core.listNamespacedSecret({ namespace, labelSelector })),
      this.kube.call(() => core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector })),
    ]);
    return { statefulSets: statefulSets.items, services: services.items, secrets: secrets.items, claims: claims.items };
  }

  private ref(serverId: string): { name: string; namespace: string } {
    return { name: objectName(serverId), namespace: this.namespace };
  }
}
