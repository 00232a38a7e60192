// What a pod asks of the node: the sum of its containers' requests (requests default to
// limits, as the apiserver's defaulting does), and its QoS class.
import { parseQuantity } from '../api/quantity.js';
import type { ContainerSpec, Pod } from './pod-types.js';

export interface PodRequests {
  cpu: number; // millicores
  memory: number; // bytes
}

function containerRequest(c: ContainerSpec, resource: 'cpu' | 'memory'): number {
  const value = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
  const parsed = parseQuantity(value) ?? 0;
  return resource === 'cpu' ? Math.round(parsed * 1000) : parsed;
}

export function podRequests(pod: Pod): PodRequests {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers ?? []) {
    cpu += containerRequest(c, 'cpu');
    memory += containerRequest(c, 'memory');
  }
  return { cpu, memory };
}

export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = pod.spec.containers ?? [];
  const any = containers.some(
    (c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length,
  );
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) =>
    (['cpu', 'memory'] as const).every((r) => {
      const limit = c.resources?.limits?.[r];
      const request = c.resources?.requests?.[r] ?? limit;
      return limit !== undefined && parseQuantity(limit) === parseQuantity(request);
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
