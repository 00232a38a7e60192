import type { EventPayload, PowerAction, ServerStatus } from '@blockplane/contracts';
import type { DesiredState } from '../servers/game-server.entity.js';

/** What the provisioner reports about a server, as a tagged union over the catalogue's payloads. */
export type Observation =
  | { type: 'server.provisioned' }
  | { type: 'pod.scheduled' }
  | { type: 'pod.pending'; reason: EventPayload<'pod.pending'>['reason'] }
  | { type: 'pod.ready'; address: EventPayload<'pod.ready'>['address'] }
  | { type: 'pod.failed'; reason: EventPayload<'pod.failed'>['reason'] }
  | { type: 'server.stopped' }
  | { type: 'server.deleted' };

export interface ObservedState {
  desiredState: DesiredState;
  status: ServerStatus;
  statusReason: string | null;
  address: string | null;
  lastObservedAt: Date | null;
}

const beforeProvisioning = new Set<ServerStatus>(['creating', 'provisioning', 'error']);

export type StatusChange = Pick<ObservedState, 'status' | 'statusReason' | 'address' | 'lastObservedAt'>;

/**
 * The status a server moves to when the provisioner observes something at `observedAt`, or
 * undefined when the observation is stale (older than the last applied) or the server is gone.
 * While the owner wants it stopped or deleted, pod progress does not override `stopping`/`deleting`.
 */
export function observe(state: ObservedState, event: Observation, observedAt: Date): StatusChange | undefined {
  if (state.status === 'deleted') return undefined;
  if (state.lastObservedAt && observedAt < state.lastObservedAt) return undefined;
  const keep = { status: state.status, statusReason: state.statusReason, address: state.address };
  const wantsRunning = state.desiredState === 'running';
  const next = ((): Omit<StatusChange, 'lastObservedAt'> => {
    switch (event.type) {
      case 'server.provisioned':
        // A re-apply by the reconciler must not pull a starting or running server back.
        return wantsRunning && beforeProvisioning.has(state.status)
          ? { ...keep, status: 'provisioning', statusReason: null }
          : keep;
      case 'pod.scheduled':
        return wantsRunning ? { ...keep, status: 'starting', statusReason: null } : keep;
      case 'pod.pending':
        return wantsRunning ? { ...keep, status: 'starting', statusReason: event.reason } : keep;
      case 'pod.ready':
        return wantsRunning ? { status: 'running', statusReason: null, address: event.address } : keep;
      case 'pod.failed':
        return state.desiredState === 'deleted' ? keep : { ...keep, status: 'error', statusReason: event.reason };
      case 'server.stopped':
        if (state.desiredState === 'deleted') return keep;
        // Stopped while meant to run: the pod is on its way back.
        return { status: wantsRunning ? 'starting' : 'stopped', statusReason: null, address: null };
      case 'server.deleted':
        return { status: 'deleted', statusReason: null, address: null };
    }
  })();
  // server.provisioned says nothing about the pod: it must not hide a pod observation made before it.
  const lastObservedAt = event.type === 'server.provisioned' ? state.lastObservedAt : observedAt;
  return { ...next, lastObservedAt };
}

export interface PowerChange {
  desiredState: DesiredState;
  status: ServerStatus;
}

/** What a power action asks for; an action that changes nothing keeps a settled status. */
export function power(state: Pick<ObservedState, 'desiredState' | 'status'>, action: PowerAction): PowerChange {
  switch (action) {
    case 'start':
      return { desiredState: 'running', status: state.status === 'running' ? 'running' : 'starting' };
    case 'stop':
      return { desiredState: 'stopped', status: state.status === 'stopped' ? 'stopped' : 'stopping' };
    case 'restart':
    case 'kill':
      return { desiredState: 'running', status: 'starting' };
  }
}
