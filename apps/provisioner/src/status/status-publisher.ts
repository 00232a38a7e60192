import { Inject, Injectable } from '@nestjs/common';
import type { EventPayload } from '@blockplane/contracts';
import { EventPublisher } from '@blockplane/messaging';
import {
  contextFromHeaders,
  inSpan,
  linkFromHeaders,
  LOGGER,
  type Logger,
  ROOT_CONTEXT,
  SpanKind,
} from '@blockplane/observability';
import type { TraceRelation } from './status-trace.js';

export type StatusEvent = 'server.stopped' | 'pod.scheduled' | 'pod.pending' | 'pod.ready' | 'pod.failed';

/** One view of a server, stamped when the informer saw it; `key` tells two views that say the same apart. */
export type StatusReport = {
  [S in StatusEvent]: { type: S; data: EventPayload<S>; key: string; trace: TraceRelation };
}[StatusEvent];

/**
 * Publishes each server's newest report, one at a time per server: a report that arrives while one is
 * being published replaces any still waiting, so the servers service never gets an older view after a
 * newer one, and one server's slow publish never holds up another's.
 */
@Injectable()
export class StatusPublisher {
  private readonly waiting = new Map<string, StatusReport>();
  private readonly draining = new Map<string, Promise<void>>();
  private readonly published = new Map<string, string>();

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Resolves once the server's newest report (this one or a later one) has been handled. */
  offer(report: StatusReport): Promise<void> {
    const { serverId } = report.data;
    this.waiting.set(serverId, report);
    let drain = this.draining.get(serverId);
    if (!drain) {
      drain = this.drain(serverId);
      this.draining.set(serverId, drain);
    }
    return drain;
  }

  /** The server's objects are gone: a recreated server starts its history afresh. */
  forget(serverId: string): void {
    this.published.delete(serverId);
  }

  private async drain(serverId: string): Promise<void> {
    for (;;) {
      await Promise.resolve(); // let `offer` record this drain before it can end
      const report = this.waiting.get(serverId);
      if (!report) {
        this.draining.delete(serverId);
        return;
      }
      this.waiting.delete(serverId);
      if (this.published.get(serverId) === report.key) continue;
      try {
        await inSpan(`observe ${report.type}`, spanOptions(report.trace), () =>
          this.publisher.publish(report.type, report.data as EventPayload<StatusEvent>),
        );
        this.published.set(serverId, report.key);
      } catch (error) {
        // The reconciler's next pass reports every server again.
        this.logger.warn({ err: error, serverId }, 'could not publish a status change');
      }
    }
  }
}

/** The observation as a child of the request it ends, as a trace of its own linked to it, or as a new trace. */
function spanOptions(relation: TraceRelation): Parameters<typeof inSpan>[1] {
  switch (relation.kind) {
    case 'child':
      return { kind: SpanKind.INTERNAL, parent: contextFromHeaders(relation.trace) };
    case 'link': {
      const link = linkFromHeaders(relation.trace);
      return { kind: SpanKind.INTERNAL, parent: ROOT_CONTEXT, ...(link ? { links: [link] } : {}) };
    }
    case 'none':
      return { kind: SpanKind.INTERNAL, parent: ROOT_CONTEXT };
  }
}
