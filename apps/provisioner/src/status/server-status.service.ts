import { Injectable } from '@nestjs/common';
import type { CoreV1Event, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { EventPayload } from '@blockplane/contracts';
import { observePod } from './pod-status.util.js';
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

  constructor(private readonly publisher: StatusPublisher) {}

  /** Observes now, synchronously, and resolves once this view (or a newer one) is published. */
  refresh(serverId: string, view: ServerView): Promise<void> {
    const observation = observe(view);
    if (!observation) return Promise.resolve();
    const stamp = Math.max(Date.now(), (this.stamps.get(serverId) ?? 0) + 1);
    this.stamps.set(serverId, stamp);
    const key = JSON.stringify([observation, view.pods[0]?.metadata?.uid]);
    const data = { ...observation.data, serverId, observedAt: new Date(stamp).toISOString() };
    return this.publisher.offer({ type: observation.type, data, key } as StatusReport);
  }

  /** The server's objects are gone: a recreated server starts its history afresh. */
  forget(serverId: string): void {
    this.publisher.forget(serverId);
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
