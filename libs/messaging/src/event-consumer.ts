import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  jetstream,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { type EventEnvelope, type EventSubject, parseEventEnvelope } from '@blockplane/contracts';
import { contextFromHeaders, inSpan, type Logger, SpanKind } from '@blockplane/observability';
import type { InboxStore } from './inbox-store.js';
import { messageJson } from './message-json.js';
import type { NatsConnection } from './nats-connection.js';

const CONSUMER_NOT_FOUND = 10014;

export interface EventHandlerBinding {
  /** Durable consumer name, unique within the namespace (`<service>-<handler>`). */
  durable: string;
  subject: EventSubject;
  handle(event: EventEnvelope): Promise<void>;
  /** Events in hand at once (default 1). */
  concurrency?: number;
  /** Events of one key are handled in stream order, one after another. */
  orderBy?: (event: EventEnvelope) => string;
}

export interface ConsumerOptions {
  ackWaitMs: number;
  maxDeliver: number;
}

/**
 * Pulls one durable consumer's events and acks each only after its handler's work is committed.
 * A crash before the ack means redelivery; the inbox makes that harmless. Up to `concurrency`
 * events are in hand at once; events of one `orderBy` key wait for each other, in stream order.
 */
export class DurableEventConsumer {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(
    private readonly nats: NatsConnection,
    private readonly stream: string,
    private readonly binding: EventHandlerBinding,
    private readonly inbox: InboxStore,
    private readonly logger: Logger,
    private readonly options: ConsumerOptions = { ackWaitMs: 30_000, maxDeliver: 20 },
  ) {}

  async start(jsm: JetStreamManager): Promise<void> {
    await this.ensureConsumer(jsm);
    const consumer = await jetstream(this.nats.connection).consumers.get(this.stream, this.binding.durable);
    this.messages = await consumer.consume({ max_messages: Math.max(16, 2 * this.concurrency) });
    this.loop = this.run(this.messages);
  }

  /** Stops pulling and waits for the events in hand to finish. */
  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop;
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    const config = {
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.options.ackWaitMs),
      max_deliver: this.options.maxDeliver,
      filter_subject: this.nats.eventSubject(this.binding.subject),
    };
    try {
      await jsm.consumers.info(this.stream, this.binding.durable);
      await jsm.consumers.update(this.stream, this.binding.durable, config);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND)) throw error;
      await jsm.consumers.add(this.stream, {
        ...config,
        durable_name: this.binding.durable,
        deliver_policy: DeliverPolicy.All,
      });
    }
  }

  private get concurrency(): number {
    return Math.max(1, this.binding.concurrency ?? 1);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    const inHand = new Set<Promise<void>>();
    // The last event taken of each key: the next one of that key starts after it.
    const lastOfKey = new Map<string, Promise<void>>();
    for await (const message of messages) {
      const event = this.parse(message);
      if (!event) continue;
      const key = this.binding.orderBy?.(event);
      const before = key === undefined ? undefined : lastOfKey.get(key);
      // process() never throws, so neither does a chain of them.
      const work = (before ?? Promise.resolve()).then(() => this.process(message, event));
      inHand.add(work);
      if (key !== undefined) lastOfKey.set(key, work);
      void work.then(() => {
        inHand.delete(work);
        if (key !== undefined && lastOfKey.get(key) === work) lastOfKey.delete(key);
      });
      if (inHand.size >= this.concurrency) await Promise.race(inHand);
    }
    await Promise.all(inHand);
  }

  private parse(message: JsMsg): EventEnvelope | undefined {
    const parsed = parseEventEnvelope(messageJson(message));
    if (parsed.ok) return parsed.event;
    // A malformed event never becomes valid: drop it loudly instead of redelivering it for ever.
    this.logger.error(
      { consumer: this.binding.durable, subject: message.subject, error: parsed.error },
      'rejected malformed event',
    );
    // No reason string: nats-server 2.9 ignores a `+TERM` that carries one.
    message.term();
    return undefined;
  }

  private async process(message: JsMsg, event: EventEnvelope): Promise<void> {
    const parent = contextFromHeaders({ ...event.trace });
    try {
      await inSpan(
        `consume ${event.type}`,
        { kind: SpanKind.CONSUMER, parent, attributes: { 'event.id': event.id } },
        async () => {
          const ran = await this.inbox.runOnce(this.binding.durable, event.id, () => this.binding.handle(event));
          if (!ran) this.logger.debug({ consumer: this.binding.durable, eventId: event.id }, 'skipped duplicate event');
        },
      );
      message.ack();
    } catch (error) {
      const attempt = message.info.deliveryCount;
      this.logger.error(
        { consumer: this.binding.durable, eventId: event.id, attempt, err: error },
        'event handler failed',
      );
      try {
        message.nak(Math.min(30_000, 250 * 2 ** attempt));
      } catch (nakError) {
        // The connection is gone: the server redelivers after ack_wait anyway.
        this.logger.warn({ consumer: this.binding.durable, eventId: event.id, err: nakError }, 'could not nak event');
      }
    }
  }
}
