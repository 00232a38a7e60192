// The pod status a kubelet reports, computed from its view of each container.
import { timestamp } from '../api/object-utils.js';
import type { LogBuffer } from './log-buffer.js';
import type { Container } from './container-runtime.js';
import type { ContainerSpec, PodCondition } from './pod-types.js';
import { withCondition } from './scheduler.js';

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        reason: string;
        message?: string;
        startedAt: string;
        finishedAt: string;
        containerID: string;
      };
    };

/** The kubelet's record of one container of the pod, across restarts. */
export interface ContainerRecord {
  spec: ContainerSpec;
  instance?: Container; // the current (or last) process
  state: ContainerState;
  lastState: ContainerState | Record<string, never>;
  restartCount: number;
  started: boolean;
  ready: boolean;
  imageID?: string;
  previousLogs?: LogBuffer;
  willRestart: boolean; // false once it terminated for good
}

export function containerStatus(record: ContainerRecord): Record<string, unknown> {
  return {
    name: record.spec.name,
    state: record.state,
    lastState: record.lastState,
    ready: record.ready,
    restartCount: record.restartCount,
    image: record.spec.image,
    imageID: record.imageID ?? '',
    ...(record.instance ? { containerID: record.instance.id } : {}),
    started: record.started,
  };
}

export function podPhase(records: ContainerRecord[]): string {
  const terminated = records.filter((r) => 'terminated' in r.state);
  if (records.length && terminated.length === records.length && records.every((r) => !r.willRestart)) {
    return terminated.every((r) => 'terminated' in r.state && r.state.terminated.exitCode === 0)
      ? 'Succeeded'
      : 'Failed';
  }
  const everStarted = records.some(
    (r) => 'running' in r.state || r.restartCount > 0 || 'terminated' in r.lastState || 'terminated' in r.state,
  );
  return everStarted ? 'Running' : 'Pending';
}

export function podConditions(
  existing: PodCondition[] | undefined,
  records: ContainerRecord[],
  phase: string,
  sandboxReady: boolean,
): PodCondition[] {
  const now = timestamp();
  const unready = records.filter((r) => !r.ready).map((r) => r.spec.name);
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const readiness = (type: string): PodCondition =>
    unready.length === 0
      ? { type, status: 'True', lastProbeTime: null, lastTransitionTime: now }
      : {
          type,
          status: 'False',
          reason: completed ? 'PodCompleted' : 'ContainersNotReady',
          ...(completed ? {} : { message: `containers with unready status: [${unready.join(' ')}]` }),
          lastProbeTime: null,
          lastTransitionTime: now,
        };
  let conditions = existing ?? [];
  conditions = withCondition(conditions, {
    type: 'PodReadyToStartContainers',
    status: sandboxReady ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
  });
  conditions = withCondition(conditions, {
    type: 'Initialized',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: now,
  });
  conditions = withCondition(conditions, readiness('Ready'));
  conditions = withCondition(conditions, readiness('ContainersReady'));
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  return conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}
