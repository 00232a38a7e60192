// The StatefulSet controller: stable pods <sts>-<ordinal> with per-ordinal PVCs from
// volumeClaimTemplates (kept on scale-down and deletion: the default Retain policy),
// OrderedReady or Parallel management, RollingUpdate from the highest ordinal down,
// and a status that counts what is really there.
import { createHash } from 'node:crypto';
import type { Store, StoreEvent } from '../api/store.js';
import type { KubeObject } from '../api/types.js';
import { deepCopy } from '../api/object-utils.js';
import type { EventRecorder } from './event-recorder.js';
import { asPod, isPodReady, isTerminalPhase, type Pod, type PodSpec } from './pod-types.js';
import { objectKey, PODS, PVCS, sameRef, STATEFULSETS } from './refs.js';
import { WorkQueue } from './work-queue.js';

interface StatefulSetSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  minReadySeconds?: number;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } };
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  volumeClaimTemplates?: Array<{
    metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: Record<string, unknown>;
  }>;
}

interface StatefulSet extends KubeObject {
  spec: StatefulSetSpec;
  status?: Record<string, unknown>;
}

const source = { component: 'statefulset-controller' };
const REVISION_LABEL = 'controller-revision-hash';

/** The ordinal of a pod named <sts>-<n>, or -1. */
function ordinalOf(sts: string, pod: string): number {
  const match = new RegExp(`^${sts.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(0|[1-9][0-9]*)$`).exec(pod);
  return match ? Number(match[1]) : -1;
}

/** A ControllerRevision-style name: <sts>-<hash of the pod template>. */
export function revisionName(sts: StatefulSet): string {
  const hash = createHash('sha256').update(JSON.stringify(sts.spec.template)).digest('hex');
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const short = Array.from(hash.slice(0, 10), (c) => alphabet[parseInt(c, 16) % alphabet.length]).join('');
  return `${sts.metadata.name}-${short}`;
}

function ownedBy(obj: KubeObject, sts: StatefulSet): boolean {
  return obj.metadata.ownerReferences?.some((r) => r.uid === sts.metadata.uid && r.controller) ?? false;
}

export class StatefulSetController {
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: Store,
    private readonly events: EventRecorder,
    onError: (key: string, error: unknown) => void,
  ) {
    this.queue = new WorkQueue((key) => this.sync(key), onError);
    for (const sts of store.list(STATEFULSETS).items)
      this.queue.add(objectKey(sts.metadata.namespace, sts.metadata.name));
  }

  onEvent(ev: StoreEvent): void {
    if (sameRef(ev.ref, STATEFULSETS) && ev.type !== 'DELETED') {
      this.queue.add(objectKey(ev.object.metadata.namespace, ev.object.metadata.name));
    } else if (sameRef(ev.ref, PODS)) {
      const owner = ev.object.metadata.ownerReferences?.find((r) => r.kind === 'StatefulSet' && r.controller);
      if (owner) this.queue.add(objectKey(ev.object.metadata.namespace, owner.name));
    }
  }

  stop(): void {
    this.queue.stop();
  }

  private sync(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const sts = this.store.get(STATEFULSETS, namespace, name) as StatefulSet | undefined;
    if (!sts || sts.metadata.deletionTimestamp) return;
    const replicas = sts.spec.replicas ?? 1;
    const revision = revisionName(sts);
    const pods = new Map<number, Pod>();
    for (const obj of this.store.listOwnedBy(PODS, sts.metadata.uid)) {
      const ordinal = ordinalOf(name, obj.metadata.name ?? '');
      if (ordinal >= 0 && ownedBy(obj, sts)) pods.set(ordinal, asPod(obj));
    }
    const parallel = sts.spec.podManagementPolicy === 'Parallel';
    this.scaleUp(sts, pods, replicas, revision, parallel);
    this.scaleDown(sts, pods, replicas, parallel);
    this.rollOut(sts, pods, replicas, revision);
    this.writeStatus(sts, pods, replicas, revision);
  }

  private scaleUp(
    sts: StatefulSet,
    pods: Map<number, Pod>,
    replicas: number,
    revision: string,
    parallel: boolean,
  ): void {
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const pod = pods.get(ordinal);
      if (pod && isTerminalPhase(pod) && !pod.metadata.deletionTimestamp) {
        this.deletePod(sts, pod); // a failed or succeeded replica is replaced
        if (!parallel) return;
        continue;
      }
      if (pod) {
        // OrderedReady: a successor waits until every predecessor is Running and Ready.
        if (!parallel && (!isPodReady(pod) || pod.metadata.deletionTimestamp)) return;
        continue;
      }
      const created = this.createPod(sts, ordinal, revision);
      if (created) pods.set(ordinal, created);
      if (!parallel) return;
    }
  }

  private scaleDown(sts: StatefulSet, pods: Map<number, Pod>, replicas: number, parallel: boolean): void {
    const excess = [...pods.keys()].filter((o) => o >= replicas).sort((a, b) => b - a);
    for (const ordinal of excess) {
      const pod = pods.get(ordinal);
      if (!pod) continue;
      if (pod.metadata.deletionTimestamp) {
        if (parallel) continue;
        return; // one at a time, highest first
      }
      this.deletePod(sts, pod);
      if (!parallel) return;
    }
  }

  /** RollingUpdate: replace the highest-ordinal outdated pod once all others are Ready. */
  private rollOut(sts: StatefulSet, pods: Map<number, Pod>, replicas: number, revision: string): void {
    if (sts.spec.updateStrategy?.type === 'OnDelete') return;
    const partition = sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const current = [...pods.entries()].filter(([o]) => o < replicas);
    if (current.length < replicas || current.some(([, p]) => !isPodReady(p) || p.metadata.deletionTimestamp)) return;
    const outdated = current
      .filter(([o, p]) => o >= partition && p.metadata.labels?.[REVISION_LABEL] !== revision)
      .sort(([a], [b]) => b - a);
    if (outdated[0]) this.deletePod(sts, outdated[0][1]);
  }

  private createPod(sts: StatefulSet, ordinal: number, revision: string): Pod | undefined {
    const namespace = sts.metadata.namespace ?? 'default';
    const stsName = sts.metadata.name ?? '';
    const podName = `${stsName}-${ordinal}`;
    const template = deepCopy(sts.spec.template);
    const claims = (sts.spec.volumeClaimTemplates ?? []).map((t) => ({
      template: t,
      claimName: `${t.metadata.name}-${podName}`,
    }));
    for (const { template: t, claimName } of claims) this.ensureClaim(sts, t, claimName);
    const volumes = (template.spec.volumes ?? []).filter(
      (v) => !claims.some((c) => c.template.metadata.name === v.name),
    );
    volumes.push(
      ...claims.map((c) => ({ name: c.template.metadata.name, persistentVolumeClaim: { claimName: c.claimName } })),
    );
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace,
        labels: {
          ...template.metadata?.labels,
          [REVISION_LABEL]: revision,
          'statefulset.kubernetes.io/pod-name': podName,
          'apps.kubernetes.io/pod-index': String(ordinal),
        },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name: stsName,
            uid: sts.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        ...template.spec,
        hostname: podName,
        ...(sts.spec.serviceName ? { subdomain: sts.spec.serviceName } : {}),
        volumes,
      },
    };
    try {
      const created = asPod(this.store.create(PODS, pod));
      this.events.record(
        source,
        sts,
        'Normal',
        'SuccessfulCreate',
        `create Pod ${podName} in StatefulSet ${stsName} successful`,
      );
      return created;
    } catch (error) {
      this.events.record(
        source,
        sts,
        'Warning',
        'FailedCreate',
        `create Pod ${podName} in StatefulSet ${stsName} failed error: ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  private ensureClaim(
    sts: StatefulSet,
    template: NonNullable<StatefulSetSpec['volumeClaimTemplates']>[number],
    claimName: string,
  ): void {
    const namespace = sts.metadata.namespace ?? 'default';
    if (this.store.get(PVCS, namespace, claimName)) return;
    this.store.create(PVCS, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName,
        namespace,
        labels: { ...sts.spec.selector?.matchLabels, ...template.metadata.labels },
        ...(template.metadata.annotations ? { annotations: template.metadata.annotations } : {}),
      },
      spec: deepCopy(template.spec),
    });
    this.events.record(
      source,
      sts,
      'Normal',
      'SuccessfulCreate',
      `create Claim ${claimName} Pod ${claimName.slice(template.metadata.name.length + 1)} in StatefulSet ${sts.metadata.name} success`,
    );
  }

  private deletePod(sts: StatefulSet, pod: Pod): void {
    this.store.delete(PODS, pod.metadata.namespace, pod.metadata.name ?? '');
    this.events.record(
      source,
      sts,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
    );
  }

  private writeStatus(sts: StatefulSet, pods: Map<number, Pod>, replicas: number, revision: string): void {
    const live = [...pods.values()].filter((p) => !isTerminalPhase(p));
    const ready = live.filter(isPodReady);
    const minReadyMs = (sts.spec.minReadySeconds ?? 0) * 1000;
    const available = ready.filter((p) => {
      const since = p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
      return minReadyMs === 0 || (since !== undefined && Date.now() - Date.parse(since) >= minReadyMs);
    });
    if (available.length < ready.length) this.requeueAfter(sts, minReadyMs);
    const previous = (sts.status ?? {}) as { currentRevision?: string };
    const updated = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
    const rolledOut = updated === live.length && live.length === replicas;
    const currentRevision = rolledOut || !previous.currentRevision ? revision : previous.currentRevision;
    const current = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length;
    this.store.mutate(
      STATEFULSETS,
      sts.metadata.namespace,
      sts.metadata.name ?? '',
      (obj) => {
        obj['status'] = {
          observedGeneration: sts.metadata.generation,
          replicas: live.length,
          readyReplicas: ready.length,
          currentReplicas: current,
          updatedReplicas: updated,
          availableReplicas: available.length,
          currentRevision,
          updateRevision: revision,
          collisionCount: 0,
        };
      },
      { subresource: 'status' },
    );
  }

  private requeueAfter(sts: StatefulSet, ms: number): void {
    setTimeout(() => this.queue.add(objectKey(sts.metadata.namespace, sts.metadata.name)), ms).unref();
  }
}
