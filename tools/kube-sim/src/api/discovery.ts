// Legacy (non-aggregated) discovery documents, which every kubectl and client-node version understands.
import { groupVersion, groupVersions, type ResourceDef } from './resource-registry.js';

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kube-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** Verbs a subresource allows, as upstream lists them. */
const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  log: ['get'],
  exec: ['create', 'get'],
};
const SUBRESOURCE_KINDS: Record<string, (def: ResourceDef) => { kind: string; group?: string; version?: string }> = {
  status: (def) => ({ kind: def.kind }),
  scale: () => ({ kind: 'Scale', group: 'autoscaling', version: 'v1' }),
  log: () => ({ kind: 'Pod' }),
  exec: () => ({ kind: 'PodExecOptions' }),
};

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = groupVersions().filter((gv) => gv.group);
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((gv) => apiGroup(gv.group, gv.version)),
  };
}

export function apiGroup(group: string, version: string): Record<string, unknown> {
  const gv = { groupVersion: `${group}/${version}`, version };
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [gv], preferredVersion: gv };
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const gv = groupVersions().find((g) => g.group === group && g.version === version);
  if (!gv) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const def of gv.resources) {
    resources.push({
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: def.verbs,
      ...(def.shortNames.length ? { shortNames: def.shortNames } : {}),
      ...(def.categories.length ? { categories: def.categories } : {}),
      storageVersionHash: Buffer.from(`${groupVersion(def)}/${def.kind}`)
        .toString('base64')
        .slice(0, 11),
    });
    for (const sub of def.subresources) {
      resources.push({
        name: `${def.plural}/${sub}`,
        singularName: '',
        namespaced: def.namespaced,
        ...(SUBRESOURCE_KINDS[sub]?.(def) ?? { kind: def.kind }),
        verbs: SUBRESOURCE_VERBS[sub] ?? ['get'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(gv), resources };
}
