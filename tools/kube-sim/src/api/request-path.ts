import { findResource } from './resource-registry.js';
import type { ResourceRoute } from './resource-handler.js';

/** Splits a URL path into segments, tolerating trailing and doubled slashes (client-node sends `/api/v1/`). */
export function pathSegments(pathname: string): string[] {
  return pathname.split('/').filter(Boolean).map(decodeURIComponent);
}

/**
 * Resolves `/api/v1/…` and `/apis/<group>/<version>/…` resource paths:
 * `[namespaces/<ns>/]<plural>[/<name>[/<subresource>]]`. Undefined when it is not a resource path.
 */
export function parseResourcePath(segments: string[]): ResourceRoute | undefined {
  const [root = '', first = '', second = ''] = segments;
  let group: string;
  let version: string;
  let rest: string[];
  if (root === 'api' && segments.length >= 3) {
    [group, version, rest] = ['', first, segments.slice(2)];
  } else if (root === 'apis' && segments.length >= 4) {
    [group, version, rest] = [first, second, segments.slice(3)];
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const namespaced = findResource({ group, version, plural: rest[2] ?? '' });
    if (namespaced?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  if (rest.length > 3) return undefined;
  const [plural = '', name, subresource] = rest;
  const def = findResource({ group, version, plural });
  if (!def) return undefined;
  if (subresource && !def.subresources.includes(subresource)) return undefined;
  return {
    def,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name ? { name } : {}),
    ...(subresource ? { subresource } : {}),
  };
}
