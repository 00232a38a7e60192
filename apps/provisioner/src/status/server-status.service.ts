import { Injectable } from '@nestjs/common';
import type { CoreV1Event, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { EventPayload } from '@blockplane/contracts';
import type { TraceCarrier } from '@blockplane/observability';
import { traceOf } from '../game/game-server.manifests.js';
import { observePod } from './pod-status.util.js';
import { StatusTraces } from './status-trace.js';
import { type StatusEvent, StatusPublisher, type StatusReport } from './status-publisher.js';

/** What the informers hold about one server, Warning Events about its pod included. */
export interface ServerView {
  statefulSet?: V1StatefulSet;
  service?: V1Service;
  pods: V1Pod[];
  events: CoreV1Event[];
}

type Observation = {
  [S in StatusEvent]: { type: S; data: Omit<EventPayload<S>, 'serverId' | 'observedAt'> };
}[StatusEvent];

/** Turns the cluster's state into status reports, stamped with the moment the informers saw it. */
@Injectable()
export class ServerStatusService {
  /** The last stamp given to each server: its observations are strictly ordered even within a millisecond. */
  private readonly stamps = new Map<string, number>();

  /** What each server's last observation said. */
  private readonly keys = new Map<string, string>();
  private readonly traces = new StatusTraces();

  constructor(private readonly publisher: StatusPublisher) {}

  /** Observes now, synchronously, and resolves once this view (or a newer one) is published. */
  refresh(serverId: string, view: ServerView): Promise<void> {
    const observation = observe(view);
    if (!observation) return Promise.resolve();
    const stamp = Math.max(Date.now(), (this.stamps.get(serverId) ?? 0) + 1);
    this.stamps.set(serverId, stamp);
    const key = JSON.stringify([observation, view.pods[0]?.metadata?.uid]);
    const data = { ...observation.data, serverId, observedAt: new Date(stamp).toISOString() };
    // Only a change can be a request's outcome: the old pod, seen again after a restart request, is not.
    const changed = this.keys.get(serverId) !== key;
    this.keys.set(serverId, key);
    const outcome = changed ? outcomeOf(observation.type, view.pods[0]) : undefined;
    const trace = this.traces.relate(serverId, traceOf(view.statefulSet), outcome);
    return this.publisher.offer({ type: observation.type, data, key, trace } as StatusReport);
  }

  /** The request in hand is changing the server's pod: what the informers see next continues its trace. */
  changeRequested(serverId: string, trace: TraceCarrier): void {
    this.traces.request(serverId, trace);
  }

  /** The server's objects are gone: a recreated server starts its history afresh. */
  forget(serverId: string): void {
    this.publisher.forget(serverId);
    this.keys.delete(serverId);
    this.traces.forget(serverId);
  }
}

/** Which outcome of a request a report is: the pod that became ready (and when), failed, or none left. */
function outcomeOf(type: StatusEvent, pod: V1Pod | undefined): string | undefined {
  const uid = pod?.metadata?.uid ?? '';
  switch (type) {
    case 'pod.ready': {
      const since = pod?.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
      // Dates from a list arrive parsed, from a watch as strings.
      return `ready:${uid}:${since === undefined ? '' : new Date(since).getTime()}`;
    }
    case 'pod.failed':
      return `failed:${uid}`;
    case 'server.stopped':
      return 'stopped';
    case 'pod.scheduled':
    case 'pod.pending':
      return undefined;
  }
}

function observe({ statefulSet, service, pods, events }: ServerView): Observation | undefined {
  if (!statefulSet) return undefined;
  const pod = pods.find((p) => !p.metadata?.deletionTimestamp);
  if (!pod)
    return statefulSet.spec?.replicas === 0 && pods.length === 0 ? { type: 'server.stopped', data: {} } : undefined;
  const podName = pod.metadata?.name ?? '';
  const seen = observePod(pod, warningsAbout(pod, events));
  switch (seen.kind) {
    case 'scheduled':
      return { type: 'pod.scheduled', data: { podName } };
    case 'pending':
      return { type: 'pod.pending', data: { podName, reason: seen.reason } };
    case 'failed':
      return { type: 'pod.failed', data: { podName, reason: seen.reason } };
    case 'ready':
      return { type: 'pod.ready', data: { podName, address: addressOf(service, pod) } };
  }
}

/** "FailedScheduling: 0/1 nodes are available: …" about this very pod (not an earlier one of its name), oldest first. */
function warningsAbout(pod: V1Pod, events: readonly CoreV1Event[]): string[] {
  const uid = pod.metadata?.uid;
  // Dates from a list arrive parsed, from a watch as strings.
  const when = (e: CoreV1Event) => new Date(e.lastTimestamp ?? e.eventTime ?? 0).getTime();
  return events
    .filter((e) => e.type === 'Warning' && (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid))
    .sort((a, b) => when(a) - when(b))
    .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
}

/** Where players connect: the load balancer's address, else the cluster IP, else the node port. */
export function addressOf(service: V1Service | undefined, pod: V1Pod): string | null {
  const port = service?.spec?.ports?.[0];
  if (!service || !port) return null;
  const ingress = service.status?.loadBalancer?.ingress?.[0];
  switch (service.spec?.type) {
    case 'LoadBalancer': {
      const host = ingress?.ip ?? ingress?.hostname;
      return host ? `${host}:${port.port}` : null;
    }
    case 'NodePort':
      return pod.status?.hostIP && port.nodePort ? `${pod.status.hostIP}:${port.nodePort}` : null;
    default:
      return service.spec?.clusterIP ? `${service.spec.clusterIP}:${port.port}` : null;
  }
}
