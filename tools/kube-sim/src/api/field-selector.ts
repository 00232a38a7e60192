import { ApiError } from './api-error.js';
import type { ResourceDef } from './resource-registry.js';
import type { KubeObject } from './types.js';

/** Field labels each kind accepts, beyond metadata.name and metadata.namespace (as upstream's field label conversions). */
const FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
};

export type ObjectMatcher = (obj: KubeObject) => boolean;

/** Parses `a=b,c!=d` into a matcher; unsupported field labels are a 400 as upstream. */
export function parseFieldSelector(def: ResourceDef, selector: string | undefined): ObjectMatcher {
  const text = selector?.trim() ?? '';
  if (!text) return () => true;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(FIELDS[def.kind] ?? [])]);
  const terms = text.split(',').map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!m) throw ApiError.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = (m[1] ?? '').trim();
    if (!allowed.has(field)) throw ApiError.badRequest(`field label not supported: ${field}`);
    return { field, negate: m[2] === '!=', value: (m[3] ?? '').trim() };
  });
  return (obj) => terms.every((t) => (fieldValue(obj, t.field) === t.value) !== t.negate);
}

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return path === 'spec.unschedulable' ? 'false' : '';
  if (path === 'source' && typeof cur === 'object') return String((cur as { component?: string }).component ?? '');
  return String(cur);
}
