import type { ResourceRef } from './types.js';

export interface ResourceDef extends ResourceRef {
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served for this resource, e.g. `status`, `scale`, `log`. */
  subresources: string[];
  /** Written only by the simulator itself (metrics); HTTP clients may only read. */
  readOnly: boolean;
}

const WRITE_VERBS = ['create', 'delete', 'patch', 'update'];
const READ_VERBS = ['get', 'list', 'watch'];
const ALL_VERBS = [...WRITE_VERBS, ...READ_VERBS].sort();

function def(
  ref: ResourceRef,
  kind: string,
  namespaced: boolean,
  extra: Partial<Pick<ResourceDef, 'shortNames' | 'categories' | 'subresources' | 'readOnly'>> = {},
): ResourceDef {
  const readOnly = extra.readOnly ?? false;
  return {
    ...ref,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: extra.shortNames ?? [],
    categories: extra.categories ?? [],
    verbs: readOnly ? ['get', 'list'] : ALL_VERBS,
    subresources: extra.subresources ?? [],
    readOnly,
  };
}

const core = (plural: string): ResourceRef => ({ group: '', version: 'v1', plural });
const apps = (plural: string): ResourceRef => ({ group: 'apps', version: 'v1', plural });
const metrics = (plural: string): ResourceRef => ({ group: 'metrics.k8s.io', version: 'v1beta1', plural });

/** Every resource the simulator serves, in discovery order. */
export const RESOURCES: readonly ResourceDef[] = [
  def(core('namespaces'), 'Namespace', false, { shortNames: ['ns'], subresources: ['status'] }),
  def(core('nodes'), 'Node', false, { shortNames: ['no'], subresources: ['status'] }),
  def(core('pods'), 'Pod', true, { shortNames: ['po'], categories: ['all'], subresources: ['status', 'log', 'exec'] }),
  def(core('services'), 'Service', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  def(core('persistentvolumeclaims'), 'PersistentVolumeClaim', true, { shortNames: ['pvc'], subresources: ['status'] }),
  def(core('secrets'), 'Secret', true),
  def(core('configmaps'), 'ConfigMap', true, { shortNames: ['cm'] }),
  def(core('events'), 'Event', true, { shortNames: ['ev'] }),
  def(apps('statefulsets'), 'StatefulSet', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  def(metrics('pods'), 'PodMetrics', true, { readOnly: true }),
  def(metrics('nodes'), 'NodeMetrics', false, { readOnly: true }),
];

export function groupVersion(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

export function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.version}/${ref.plural}`;
}

const byKey = new Map(RESOURCES.map((r) => [refKey(r), r]));

export function findResource(ref: ResourceRef): ResourceDef | undefined {
  return byKey.get(refKey(ref));
}

/** The group-versions served, each with its resources, in discovery order. */
export function groupVersions(): { group: string; version: string; resources: ResourceDef[] }[] {
  const out: { group: string; version: string; resources: ResourceDef[] }[] = [];
  for (const r of RESOURCES) {
    let gv = out.find((g) => g.group === r.group && g.version === r.version);
    if (!gv) out.push((gv = { group: r.group, version: r.version, resources: [] }));
    gv.resources.push(r);
  }
  return out;
}
