// The resources the cluster reads and writes through the Store.
import type { ResourceRef } from '../api/types.js';

const core = (plural: string): ResourceRef => ({ group: '', version: 'v1', plural });

export const PODS = core('pods');
export const NODES = core('nodes');
export const EVENTS = core('events');
export const SERVICES = core('services');
export const SECRETS = core('secrets');
export const CONFIGMAPS = core('configmaps');
export const PVCS = core('persistentvolumeclaims');
export const STATEFULSETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'statefulsets' };
export const POD_METRICS: ResourceRef = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods' };
export const NODE_METRICS: ResourceRef = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes' };

export function sameRef(a: ResourceRef, b: ResourceRef): boolean {
  return a.group === b.group && a.plural === b.plural;
}

export function objectKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}
