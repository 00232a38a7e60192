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
import type { ServerSpec } from '@blockplane/contracts';
import { KubeClient, statusOf } from '../kube/kube-client.js';
import { PROVISIONER_CONFIG, type ProvisionerConfig } from '../provisioner.config.js';
import {
  FIELD_MANAGER,
  MANAGED_SELECTOR,
  objectName,
  type OwnerRef,
  ownerReferencesFor,
  podName,
  sameSpec,
  secretManifest,
  serviceManifest,
  statefulSetManifest,
  volumeClaimName,
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

  constructor(
    private readonly kube: KubeClient,
    @Inject(PROVISIONER_CONFIG) private readonly config: ProvisionerConfig,
  ) {
    this.namespace = config.namespace;
  }

  async ensureNamespace(): Promise<void> {
    const name = this.namespace;
    if (await this.kube.find(() => this.kube.core.readNamespace({ name }))) return;
    try {
      await this.kube.call('create', () => this.kube.core.createNamespace({ body: { metadata: { name } } }));
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
  }

  /** Creates the RCON password once; an existing Secret is never rotated. */
  async ensureSecret(spec: ServerSpec): Promise<void> {
    const { name, namespace } = this.ref(spec.serverId);
    for (;;) {
      if (await this.kube.find(() => this.kube.core.readNamespacedSecret({ name, namespace }))) return;
      const body = secretManifest(spec, namespace, randomBytes(18).toString('base64url'));
      try {
        await this.kube.call('create', () => this.kube.core.createNamespacedSecret({ namespace, body }));
        return;
      } catch (error) {
        if (statusOf(error) !== 409) throw error; // someone else created it: read it again
      }
    }
  }

  ensureStatefulSet(spec: ServerSpec, replicas: number): Promise<V1StatefulSet> {
    const { name, namespace } = this.ref(spec.serverId);
    const body = statefulSetManifest(spec, namespace, this.config.image, replicas);
    return this.kube.call('apply', () =>
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

  /** The Secret is created before its owner exists (pods need it at once); it is adopted afterwards. */
  async adoptSecret(spec: ServerSpec, owner: OwnerRef): Promise<void> {
    const { name, namespace } = this.ref(spec.serverId);
    const secret = await this.kube.find(() => this.kube.core.readNamespacedSecret({ name, namespace }));
    if (!secret || secret.metadata?.ownerReferences?.some((ref) => ref.uid === owner.uid)) return;
    const body = { metadata: ownerReferencesFor(spec, owner) };
    await this.kube.call('patch', () => this.kube.core.patchNamespacedSecret({ name, namespace, body }, merge));
  }

  async ensureService(spec: ServerSpec, owner: OwnerRef): Promise<void> {
    const { name, namespace } = this.ref(spec.serverId);
    const exposure = { type: this.config.serviceType, port: this.config.servicePort };
    const body = serviceManifest(spec, namespace, exposure, owner);
    await this.kube.call('apply', () =>
      this.kube.core.patchNamespacedService({ name, namespace, body, fieldManager: FIELD_MANAGER, force: true }, apply),
    );
  }

  /** Restart (the StatefulSet recreates the pod) or, with a grace period of 0, kill. */
  deletePod(serverId: string, gracePeriodSeconds?: number): Promise<void> {
    const namespace = this.namespace;
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
      this.kube.call('list', () => apps.listNamespacedStatefulSet({ namespace, labelSelector })),
      this.kube.call('list', () => core.listNamespacedService({ namespace, labelSelector })),
      this.kube.call('list', () => core.listNamespacedSecret({ namespace, labelSelector })),
      this.kube.call('list', () => core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector })),
    ]);
    return { statefulSets: statefulSets.items, services: services.items, secrets: secrets.items, claims: claims.items };
  }

  private ref(serverId: string): { name: string; namespace: string } {
    return { name: objectName(serverId), namespace: this.namespace };
  }
}
