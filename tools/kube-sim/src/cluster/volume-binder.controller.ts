// Binds every pending PersistentVolumeClaim at once (a "standard" provisioner with
// immediate binding) and gives it a host directory under stateDir/volumes.
import { mkdirSync } from 'node:fs';
import type { Store, StoreEvent } from '../api/store.js';
import type { KubeObject } from '../api/types.js';
import { PVCS, sameRef } from './refs.js';
import { claimDir } from './volumes.js';

interface ClaimSpec {
  accessModes?: string[];
  resources?: { requests?: { storage?: string } };
  volumeName?: string;
  storageClassName?: string;
}

export class VolumeBinder {
  constructor(
    private readonly store: Store,
    private readonly stateDir: string,
  ) {
    for (const claim of store.list(PVCS).items) this.bind(claim);
  }

  onEvent(ev: StoreEvent): void {
    if (sameRef(ev.ref, PVCS) && ev.type !== 'DELETED') this.bind(ev.object);
  }

  private bind(claim: KubeObject): void {
    const status = claim['status'] as { phase?: string } | undefined;
    if (status?.phase === 'Bound' || claim.metadata.deletionTimestamp) return;
    const namespace = claim.metadata.namespace ?? 'default';
    mkdirSync(claimDir(this.stateDir, namespace, claim.metadata.name ?? ''), { recursive: true });
    const volumeName = `pvc-${claim.metadata.uid}`;
    this.store.mutate(PVCS, namespace, claim.metadata.name ?? '', (obj) => {
      const spec = obj['spec'] as ClaimSpec;
      spec.volumeName = volumeName;
      spec.storageClassName ??= 'standard';
      obj.metadata.annotations = {
        ...obj.metadata.annotations,
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': 'kube-sim/hostpath',
        'volume.kubernetes.io/storage-provisioner': 'kube-sim/hostpath',
      };
    });
    this.store.mutate(
      PVCS,
      namespace,
      claim.metadata.name ?? '',
      (obj) => {
        const spec = obj['spec'] as ClaimSpec;
        obj['status'] = {
          phase: 'Bound',
          accessModes: spec.accessModes ?? ['ReadWriteOnce'],
          capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        };
      },
      { subresource: 'status' },
    );
  }
}
