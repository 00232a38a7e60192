import { randomUUID } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { EventEnvelope, EventPayload, EventSubject, TraceContext } from '@blockplane/contracts';
import { currentTraceHeaders } from '@blockplane/observability';
import type { NatsConnection } from './nats-connection.js';

/** Publishes catalogue events to JetStream, de-duplicated by event id (`Nats-Msg-Id`). */
export class EventPublisher {
  private readonly js: JetStreamClient;

  constructor(private readonly nats: NatsConnection) {
    this.js = jetstream(nats.connection);
  }

  /** Builds the envelope in the current trace context and publishes it; resolves with it once stored. */
  async publish<S extends EventSubject>(type: S, data: EventPayload<S>): Promise<EventEnvelope<S>> {
    const envelope = createEnvelope(type, data);
    await this.publishEnvelope(envelope);
    return envelope;
  }

  /** Publishes an envelope made earlier (an outbox row): same id, so a replay is dropped as a duplicate. */
  async publishEnvelope(envelope: EventEnvelope): Promise<void> {
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
