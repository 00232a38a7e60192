import { randomUUID } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { EventEnvelope, EventPayload, EventSubject, TraceContext } from '@blockplane/contracts';
import { contextFromHeaders, currentTraceHeaders, inSpan, SpanKind } from '@blockplane/observability';
import type { NatsConnection } from './nats-connection.js';

/** Publishes catalogue events to JetStream, de-duplicated by event id (`Nats-Msg-Id`); each publish is a span. */
export class EventPublisher {
  private readonly js: JetStreamClient;

  constructor(private readonly nats: NatsConnection) {
    this.js = jetstream(nats.connection);
  }

  /** Builds the envelope in a producer span, so its consumers are that span's children; resolves once stored. */
  publish<S extends EventSubject>(type: S, data: EventPayload<S>): Promise<EventEnvelope<S>> {
    return inSpan(`publish ${type}`, { kind: SpanKind.PRODUCER }, async (span) => {
      const envelope = createEnvelope(type, data);
      span.setAttribute('event.id', envelope.id);
      await this.send(envelope);
      return envelope;
    });
  }

  /**
   * Publishes an envelope made earlier (an outbox row): same id, so a replay is dropped as a duplicate.
   * It keeps the trace it was staged in: the span is a child of it, and consumers continue it.
   */
  publishEnvelope(envelope: EventEnvelope): Promise<void> {
    const parent = contextFromHeaders({ ...envelope.trace });
    const options = { kind: SpanKind.PRODUCER, parent, attributes: { 'event.id': envelope.id } };
    return inSpan(`publish ${envelope.type}`, options, () => this.send(envelope));
  }

  private async send(envelope: EventEnvelope): Promise<void> {
    const h = headers();
    for (const [key, value] of Object.entries(envelope.trace ?? {})) if (value) h.set(key, value);
    await this.js.publish(this.nats.eventSubject(envelope.type), JSON.stringify(envelope), {
      msgID: envelope.id,
      headers: h,
    });
  }
}

export function createEnvelope<S extends EventSubject>(type: S, data: EventPayload<S>): EventEnvelope<S> {
  const { traceparent, tracestate } = currentTraceHeaders();
  const trace: TraceContext | undefined = traceparent
    ? { traceparent, ...(tracestate ? { tracestate } : {}) }
    : undefined;
  return { id: randomUUID(), type, occurredAt: new Date().toISOString(), ...(trace ? { trace } : {}), data };
}
