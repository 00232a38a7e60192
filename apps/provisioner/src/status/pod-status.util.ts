import type { V1Pod } from '@kubernetes/client-node';

/** What a pod means for its server, as the servers service is told it. */
export type PodObservation =
  { kind: 'scheduled' } | { kind: 'pending'; reason: string } | { kind: 'ready' } | { kind: 'failed'; reason: string };

/** Kubernetes' words, matched in order, and how a user should read them. */
const explanations: Array<[RegExp, string]> = [
  [/Insufficient memory/i, 'not enough memory in the cluster'],
  [/Insufficient cpu/i, 'not enough CPU in the cluster'],
  [/ErrImagePull|ImagePullBackOff|InvalidImageName/, 'the server image could not be downloaded'],
  [/CrashLoopBackOff/, 'the server keeps crashing'],
  [/OOMKilled/, 'the server ran out of memory'],
  [/CreateContainerConfigError/, 'the server configuration is incomplete'],
  [/unbound.*PersistentVolumeClaim|FailedAttachVolume|FailedMount/i, 'the server volume is not available yet'],
  [/Unschedulable|FailedScheduling/, 'no node in the cluster can run the server'],
];

export function explain(text: string): string | undefined {
  return explanations.find(([pattern]) => pattern.test(text))?.[1];
}

/**
 * Reads a pod's phase, conditions and container state. `events` are the Warning Events about it
 * ("FailedScheduling: 0/1 nodes are available: 1 Insufficient memory."), for when the pod itself says too little.
 */
export function observePod(pod: V1Pod, events: readonly string[] = []): PodObservation {
  const status = pod.status ?? {};
  const container = status.containerStatuses?.[0];
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    const terminated = container?.state?.terminated;
    const said = `${status.reason ?? ''} ${terminated?.reason ?? ''}`;
    return { kind: 'failed', reason: explain(said) ?? 'the server stopped unexpectedly' };
  }
  const conditions = status.conditions ?? [];
  if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return { kind: 'ready' };
  const reason = explain(ownWords(pod)) ?? events.map(explain).findLast((words) => words !== undefined);
  if (reason) return { kind: 'pending', reason };
  if (conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True')) return { kind: 'scheduled' };
  return { kind: 'pending', reason: 'waiting for a place in the cluster' };
}

/** An unschedulable pod whose condition does not say why: its FailedScheduling Events will. */
export function needsEvents(pod: V1Pod): boolean {
  const unschedulable = pod.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False');
  return unschedulable === true && explain(ownWords(pod)) === undefined;
}

function ownWords(pod: V1Pod): string {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  return [scheduled?.reason, scheduled?.message, waiting?.reason, waiting?.message].filter(Boolean).join(' ');
}
