// Just enough OpenAPI v3 for kubectl: per group-version, the PATCH operations of each kind with the
// `fieldValidation` query parameter, so that `kubectl apply` hands validation to the server instead
// of downloading /openapi/v2. PATCH operations deliberately carry no requestBody: kubectl then builds
// strategic merge patches from its compiled-in types rather than from schemas we do not serve.
import { groupVersions } from './resource-registry.js';

const pathOf = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openApiRoot(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const path = pathOf(gv.group, gv.version);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash(path)}` };
  }
  return { paths };
}

export function openApiGroupVersion(path: string): Record<string, unknown> | undefined {
  const gv = groupVersions().find((g) => pathOf(g.group, g.version) === path);
  if (!gv) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const def of gv.resources) {
    const gvk = { group: def.group, version: def.version, kind: def.kind };
    const prefix = `/${path}${def.namespaced ? '/namespaces/{namespace}' : ''}/${def.plural}`;
    const params = [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }];
    const op = (action: string) => ({
      operationId: `${action}${def.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: params,
    });
    paths[`${prefix}/{name}`] = def.readOnly
      ? { get: op('get') }
      : { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
    paths[prefix] = def.readOnly ? { get: op('list') } : { get: op('list'), post: op('post') };
    const schemaName = `io.k8s.api.${def.group || 'core'}.${def.version}.${def.kind}`;
    schemas[schemaName] = {
      type: 'object',
      description: `${def.kind} (served by kube-sim)`,
      'x-kubernetes-group-version-kind': [gvk],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-kube-sim' },
    paths,
    components: { schemas },
  };
}

function hash(s: string): string {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).toUpperCase().padStart(8, '0');
}
