// The environment a container sees: envFrom first, then env (later entries win), with
// secretKeyRef / configMapKeyRef / fieldRef resolved the way the kubelet resolves them.
import type { Store } from '../api/store.js';
import type { KubeObject } from '../api/types.js';
import type { ContainerSpec, Pod } from './pod-types.js';
import { CONFIGMAPS, SECRETS } from './refs.js';

export class EnvResolutionError extends Error {}

function sourceData(
  store: Store,
  kind: 'secret' | 'configmap',
  namespace: string,
  name: string,
): Record<string, string> | undefined {
  const obj: KubeObject | undefined = store.get(kind === 'secret' ? SECRETS : CONFIGMAPS, namespace, name);
  if (!obj) return undefined;
  if (kind === 'configmap') return (obj['data'] as Record<string, string> | undefined) ?? {};
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries((obj['data'] as Record<string, string> | undefined) ?? {}))
    decoded[k] = Buffer.from(v, 'base64').toString('utf8');
  return { ...decoded, ...((obj['stringData'] as Record<string, string> | undefined) ?? {}) };
}

function fieldValue(pod: Pod, podIP: string, path: string): string {
  const values: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'spec.serviceAccountName': 'default',
    'status.podIP': podIP,
    'status.hostIP': '127.0.0.1',
  };
  const [, map, key] = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path) ?? [];
  if (map && key) return pod.metadata[map as 'labels' | 'annotations']?.[key] ?? '';
  return values[path] ?? '';
}

/** Throws EnvResolutionError with the kubelet's message (CreateContainerConfigError) when a required source is missing. */
export function resolveEnv(store: Store, pod: Pod, container: ContainerSpec, podIP: string): Record<string, string> {
  const namespace = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const kind = from.secretRef ? 'secret' : 'configmap';
    const data = sourceData(store, kind, namespace, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new EnvResolutionError(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) env[(from.prefix ?? '') + k] = v;
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      env[variable.name] = expand(variable.value ?? '', env);
      continue;
    }
    if (from.fieldRef) {
      env[variable.name] = fieldValue(pod, podIP, from.fieldRef.fieldPath);
      continue;
    }
    const keyRef = from.secretKeyRef ?? from.configMapKeyRef;
    if (!keyRef) continue;
    const kind = from.secretKeyRef ? 'secret' : 'configmap';
    const data = sourceData(store, kind, namespace, keyRef.name);
    const value = data?.[keyRef.key];
    if (value !== undefined) env[variable.name] = value;
    else if (!keyRef.optional) {
      throw new EnvResolutionError(
        data
          ? `couldn't find key ${keyRef.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${namespace}/${keyRef.name}`
          : `${kind} "${keyRef.name}" not found`,
      );
    }
  }
  return env;
}

/** `$(VAR)` references to earlier variables, as the kubelet expands them; `$$` escapes. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) =>
    name === undefined ? '$' : (env[name] ?? match),
  );
}
