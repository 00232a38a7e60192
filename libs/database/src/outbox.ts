import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, EventPayload, EventSubject } from '@blockplane/contracts';
import { createEnvelope, NatsConnection } from '@blockplane/messaging';
import { OutboxEvent } from './outbox-event.entity.js';
import { OutboxRelay } from './outbox-relay.js';

/**
 * Stages an event in the caller's unit of work: it is stored when the caller flushes and
 * published only after the transaction commits (by the relay), so no state change loses its event.
 */
@Injectable()
export class Outbox {
  constructor(
    private readonly em: EntityManager,
    private readonly relay: OutboxRelay,
    private readonly nats: NatsConnection,
  ) {}

  stage<S extends EventSubject>(type: S, data: EventPayload<S>): EventEnvelope<S> {
    const envelope = stageEvent(this.em, this.nats.namespace, type, data);
    this.relay.soon();
    return envelope;
  }
}

/** `Outbox.stage` for code that runs outside a service (commands): a running relay of `namespace` sends it. */
export function stageEvent<S extends EventSubject>(
  em: EntityManager,
  namespace: string,
  type: S,
  data: EventPayload<S>,
): EventEnvelope<S> {
  const envelope = createEnvelope(type, data);
  em.persist(em.create(OutboxEvent, { namespace, envelope: envelope as EventEnvelope }));
  return envelope;
}
