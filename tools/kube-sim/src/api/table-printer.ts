// `meta.k8s.io/v1 Table` answers for `kubectl get`, with upstream's columns and cell formats.
import { ageOf } from './human-duration.js';
import type { ResourceDef } from './resource-registry.js';
import type { KubeObject } from './types.js';

interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  priority?: number;
  cell: (obj: KubeObject) => string | number;
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const name: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name ?? '' };
const age: Column = { name: 'Age', type: 'string', cell: (o) => ageOf(o.metadata.creationTimestamp) };
const none = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : String(v));
const spec = (o: KubeObject): Any => (o.spec ?? {}) as Any;
const status = (o: KubeObject): Any => (o.status ?? {}) as Any;

/** STATUS as upstream's printPod computes it. */
export function podStatusReason(pod: KubeObject): string {
  const st = status(pod);
  let reason: string = st.reason || st.phase || 'Pending';
  let initializing = false;
  const inits: Any[] = st.initContainerStatuses ?? [];
  inits.forEach((c, i) => {
    if (initializing || (c.state?.terminated && c.state.terminated.exitCode === 0)) return;
    initializing = true;
    if (c.state?.terminated)
      reason = c.state.terminated.reason
        ? `Init:${c.state.terminated.reason}`
        : `Init:ExitCode:${c.state.terminated.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing')
      reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(spec(pod).initContainers ?? []).length}`;
  });
  if (!initializing) {
    let hasRunning = false;
    const statuses: Any[] = st.containerStatuses ?? [];
    for (const c of [...statuses].reverse()) {
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated)
        reason = c.state.terminated.signal
          ? `Signal:${c.state.terminated.signal}`
          : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (st.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True')
        ? 'Running'
        : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function podRestarts(pod: KubeObject): string {
  const statuses: Any[] = status(pod).containerStatuses ?? [];
  let restarts = 0;
  let last = 0;
  for (const c of statuses) {
    restarts += c.restartCount ?? 0;
    const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
    if (finished > last) last = finished;
  }
  return last ? `${restarts} (${ageOf(new Date(last).toISOString())} ago)` : String(restarts);
}

function podReady(pod: KubeObject): string {
  const statuses: Any[] = status(pod).containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready && c.state?.running).length;
  return `${ready}/${(spec(pod).containers ?? []).length}`;
}

function servicePorts(svc: KubeObject): string {
  const ports: Any[] = spec(svc).ports ?? [];
  if (!ports.length) return '<none>';
  return ports
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
}

function serviceExternalIp(svc: KubeObject): string {
  const s = spec(svc);
  const external: string[] = s.externalIPs ?? [];
  if (s.type === 'LoadBalancer') {
    const ingress: Any[] = status(svc).loadBalancer?.ingress ?? [];
    const ips = [...ingress.map((i) => i.ip ?? i.hostname), ...external];
    return ips.length ? ips.join(',') : '<pending>';
  }
  if (s.type === 'ExternalName') return s.externalName ?? '<none>';
  return external.length ? external.join(',') : '<none>';
}

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

const selectorText = (sel: Record<string, string> | undefined) =>
  sel && Object.keys(sel).length
    ? Object.entries(sel)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : '<none>';

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    name,
    { name: 'Ready', type: 'string', cell: podReady },
    { name: 'Status', type: 'string', cell: podStatusReason },
    { name: 'Restarts', type: 'string', cell: podRestarts },
    age,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => none(status(o).podIP) },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => none(spec(o).nodeName) },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: (o) => none(status(o).nominatedNodeName) },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: () => '<none>' },
  ],
  StatefulSet: [
    name,
    { name: 'Ready', type: 'string', cell: (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 0}` },
    age,
    {
      name: 'Containers',
      type: 'string',
      priority: 1,
      cell: (o) => (spec(o).template?.spec?.containers ?? []).map((c: Any) => c.name).join(','),
    },
    {
      name: 'Images',
      type: 'string',
      priority: 1,
      cell: (o) => (spec(o).template?.spec?.containers ?? []).map((c: Any) => c.image).join(','),
    },
  ],
  Service: [
    name,
    { name: 'Type', type: 'string', cell: (o) => spec(o).type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', cell: (o) => none(spec(o).clusterIP) },
    { name: 'External-IP', type: 'string', cell: serviceExternalIp },
    { name: 'Port(s)', type: 'string', cell: servicePorts },
    age,
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorText(spec(o).selector) },
  ],
  PersistentVolumeClaim: [
    name,
    {
      name: 'Status',
      type: 'string',
      cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : (status(o).phase ?? 'Pending')),
    },
    { name: 'Volume', type: 'string', cell: (o) => spec(o).volumeName ?? '' },
    { name: 'Capacity', type: 'string', cell: (o) => status(o).capacity?.storage ?? '' },
    {
      name: 'Access Modes',
      type: 'string',
      cell: (o) => ((status(o).accessModes ?? []) as string[]).map((m) => ACCESS_MODES[m] ?? m).join(','),
    },
    { name: 'StorageClass', type: 'string', cell: (o) => spec(o).storageClassName ?? '<unset>' },
    { name: 'VolumeAttributesClass', type: 'string', cell: (o) => spec(o).volumeAttributesClassName ?? '<unset>' },
    age,
    { name: 'VolumeMode', type: 'string', priority: 1, cell: (o) => spec(o).volumeMode ?? 'Filesystem' },
  ],
  Event: [
    {
      name: 'Last Seen',
      type: 'string',
      cell: (o) => ageOf(String(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp ?? '')),
    },
    { name: 'Type', type: 'string', cell: (o) => String(o.type ?? '') },
    { name: 'Reason', type: 'string', cell: (o) => String(o.reason ?? '') },
    {
      name: 'Object',
      type: 'string',
      cell: (o) => {
        const io = (o.involvedObject ?? {}) as Any;
        return `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`;
      },
    },
    {
      name: 'Subobject',
      type: 'string',
      priority: 1,
      cell: (o) => String((o.involvedObject as Any | undefined)?.fieldPath ?? ''),
    },
    {
      name: 'Source',
      type: 'string',
      priority: 1,
      cell: (o) => String((o.source as Any | undefined)?.component ?? o.reportingComponent ?? ''),
    },
    { name: 'Message', type: 'string', cell: (o) => String(o.message ?? '') },
    {
      name: 'First Seen',
      type: 'string',
      priority: 1,
      cell: (o) => ageOf(String(o.firstTimestamp ?? o.metadata.creationTimestamp ?? '')),
    },
    { name: 'Count', type: 'string', priority: 1, cell: (o) => String(o.count ?? 1) },
    { name: 'Name', type: 'string', priority: 1, cell: (o) => o.metadata.name ?? '' },
  ],
  Namespace: [name, { name: 'Status', type: 'string', cell: (o) => status(o).phase ?? 'Active' }, age],
  Node: [
    name,
    {
      name: 'Status',
      type: 'string',
      cell: (o) =>
        (status(o).conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady',
    },
    { name: 'Roles', type: 'string', cell: () => '<none>' },
    age,
    { name: 'Version', type: 'string', cell: (o) => status(o).nodeInfo?.kubeletVersion ?? '' },
  ],
  Secret: [
    name,
    { name: 'Type', type: 'string', cell: (o) => String(o.type ?? 'Opaque') },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys((o.data ?? {}) as object).length },
    age,
  ],
  ConfigMap: [
    name,
    {
      name: 'Data',
      type: 'integer',
      cell: (o) => Object.keys((o.data ?? {}) as object).length + Object.keys((o.binaryData ?? {}) as object).length,
    },
    age,
  ],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function columnsOf(def: ResourceDef): Column[] {
  return COLUMNS[def.kind] ?? [name, age];
}

/** A Table of `objects`; `withColumns: false` leaves out columnDefinitions (watch events after the first). */
export function toTable(
  def: ResourceDef,
  objects: readonly KubeObject[],
  resourceVersion: string | undefined,
  include: IncludeObject,
  withColumns = true,
): KubeObject {
  const columns = columnsOf(def);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: withColumns
      ? columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format ?? '',
          description: '',
          priority: c.priority ?? 0,
        }))
      : [],
    rows: objects.map((o) => ({ cells: columns.map((c) => c.cell(o)), object: rowObject(o, include) })),
  };
}

function rowObject(o: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  const { managedFields: _m, ...metadata } = o.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

/** Whether the Accept header asks for a Table (kubectl get's first choice). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some((part) => /as=Table/.test(part) && /g=meta\.k8s\.io/.test(part) && /v=v1(;|$|\s)/.test(part + ';'));
}
