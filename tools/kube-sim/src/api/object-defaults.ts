// Defaults the real apiserver fills in on create and update, so that clients see the same shapes.
import { isRecord } from './object-utils.js';
import type { KubeObject } from './types.js';

type Rec = Record<string, unknown>;

function setDefault(target: Rec, key: string, value: unknown): void {
  if (target[key] === undefined) target[key] = value;
}

function record(target: Rec, key: string): Rec {
  if (!isRecord(target[key])) target[key] = {};
  return target[key] as Rec;
}

function defaultContainerPorts(containers: unknown): void {
  if (!Array.isArray(containers)) return;
  for (const c of containers) {
    if (!isRecord(c)) continue;
    const image = String(c.image ?? '');
    const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
    setDefault(c, 'imagePullPolicy', !tag || tag === 'latest' ? 'Always' : 'IfNotPresent');
    setDefault(c, 'terminationMessagePath', '/dev/termination-log');
    setDefault(c, 'terminationMessagePolicy', 'File');
    if (Array.isArray(c.ports)) for (const p of c.ports) if (isRecord(p)) setDefault(p, 'protocol', 'TCP');
  }
}

export function defaultPodSpec(spec: Rec): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  defaultContainerPorts(spec.initContainers);
  defaultContainerPorts(spec.containers);
}

function defaultPvcSpec(spec: Rec): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
}

/** The apiserver merges write-only `stringData` into `data` (base64) and never stores it. */
function foldStringData(secret: Rec): void {
  if (!isRecord(secret.stringData)) return;
  const data = isRecord(secret.data) ? { ...secret.data } : {};
  for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  secret.data = data;
  delete secret.stringData;
}

const DEFAULTERS: Record<string, (obj: KubeObject) => void> = {
  Pod: (obj) => defaultPodSpec(record(obj, 'spec')),
  Service: (obj) => {
    const spec = record(obj, 'spec');
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!isRecord(p)) continue;
        setDefault(p, 'protocol', 'TCP');
        setDefault(p, 'targetPort', p.port);
      }
    }
  },
  PersistentVolumeClaim: (obj) => defaultPvcSpec(record(obj, 'spec')),
  Secret: (obj) => {
    setDefault(obj, 'type', 'Opaque');
    foldStringData(obj);
  },
  Namespace: (obj) => setDefault(record(obj, 'spec'), 'finalizers', ['kubernetes']),
  StatefulSet: (obj) => {
    const spec = record(obj, 'spec');
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
    defaultPodSpec(record(record(spec, 'template'), 'spec'));
    if (Array.isArray(spec.volumeClaimTemplates)) {
      for (const t of spec.volumeClaimTemplates) if (isRecord(t)) defaultPvcSpec(record(t, 'spec'));
    }
  },
};

/** Status a freshly created object starts with (client-sent status is dropped, as upstream does). */
const INITIAL_STATUS: Record<string, () => Rec> = {
  Pod: () => ({ phase: 'Pending' }),
  Namespace: () => ({ phase: 'Active' }),
  PersistentVolumeClaim: () => ({ phase: 'Pending' }),
  Service: () => ({ loadBalancer: {} }),
  StatefulSet: () => ({ replicas: 0, availableReplicas: 0 }),
};

export function applyDefaults(obj: KubeObject): void {
  DEFAULTERS[obj.kind]?.(obj);
}

export function initialStatus(kind: string): Rec | undefined {
  return INITIAL_STATUS[kind]?.();
}
