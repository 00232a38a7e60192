import type { TraceCarrier } from '@blockplane/observability';

/**
 * How a status report relates to the trace recorded on its StatefulSet (the last request that changed
 * the server's pod): `child` continues it, `link` starts a trace of its own that points to it.
 */
export type TraceRelation = { kind: 'child' | 'link'; trace: TraceCarrier } | { kind: 'none' };

/**
 * A request's trace ends with its outcome: the first pod.ready, pod.failed or server.stopped after it.
 * Reports up to that outcome (and repeats of it, e.g. pod.ready again once the address is known) are
 * its children. Later reports under the same recorded trace (the pod crashed, the node went away) were
 * not caused by that request: a child would stretch its trace over days, so they only link to it.
 */
export class StatusTraces {
  /** Per server: the trace of the last request this process made to change its pod. */
  private readonly requested = new Map<string, TraceCarrier>();
  /** Per server: the trace whose outcome was reported, and which outcome. */
  private readonly ended = new Map<string, { traceparent: string; outcome: string }>();

  /**
   * A request is changing the server's pod. The StatefulSet's annotation says so too, and outlives a
   * restart of the provisioner, but its informer may deliver it after the pod's own changes.
   */
  request(serverId: string, trace: TraceCarrier): void {
    if (trace['traceparent']) this.requested.set(serverId, trace);
  }

  /**
   * `recorded` is the trace on the StatefulSet; `outcome` names the outcome this report is (a pod's
   * readiness, say), undefined when it is none.
   */
  relate(serverId: string, recorded: TraceCarrier, outcome: string | undefined): TraceRelation {
    const trace = this.requested.get(serverId) ?? recorded;
    const traceparent = trace['traceparent'];
    if (!traceparent) return { kind: 'none' };
    const ended = this.ended.get(serverId);
    if (ended?.traceparent === traceparent && ended.outcome !== outcome) return { kind: 'link', trace };
    if (outcome !== undefined) this.ended.set(serverId, { traceparent, outcome });
    return { kind: 'child', trace };
  }

  forget(serverId: string): void {
    this.requested.delete(serverId);
    this.ended.delete(serverId);
  }
}
