import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type ConsumerMessages, DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import { type EventEnvelope, type EventSubject, parseEventEnvelope } from '@blockplane/contracts';
import { eventStreamName, messageJson, NatsConnection } from '@blockplane/messaging';
import { LOGGER, type Logger } from '@blockplane/observability';
import { ViewerSessions } from './viewer-sessions.js';

/** The events after which a socket's rights may have shrunk. */
const revocations = ['server.access-changed', 'user.suspended', 'user.role-changed', 'apikey.revoked'] as const;
type Revocation = (typeof revocations)[number];
type RevocationEvent = { [S in Revocation]: EventEnvelope<S> }[Revocation];
const RETRY_MS = 1_000;

/**
 * Ends what a viewer may no longer watch, within the time an event takes to arrive: a sub-user's rights
 * changed or ended (`server.access-changed`: that server is checked again), an account suspended or its
 * role changed (the credential and every watched server are checked again), an API key revoked (its
 * sockets end). Each gateway replica reads these events for itself, from now on, with an ordered (ephemeral)
 * consumer per subject: no durable state, nothing to acknowledge, and the replica's sockets are its own.
 */
@Injectable()
export class AccessRevocations implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers = new Set<ConsumerMessages>();
  private stopped = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly sessions: ViewerSessions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    for (const subject of revocations) void this.follow(subject);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.consumers].map((messages) => messages.close()));
  }

  /** Follows one subject for as long as the app runs; the stream may not exist yet at start-up. */
  private async follow(subject: Revocation): Promise<void> {
    const js = jetstream(this.nats.connection);
    while (!this.stopped) {
      try {
        const consumer = await js.consumers.get(eventStreamName(this.nats.namespace), {
          filter_subjects: this.nats.eventSubject(subject),
          deliver_policy: DeliverPolicy.New,
        });
        const messages = await consumer.consume({ callback: (message) => this.received(message) });
        this.consumers.add(messages);
        if (this.stopped) await messages.close();
        await messages.closed();
        this.consumers.delete(messages);
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error, subject }, 'revocation events not followed; trying again');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private received(message: JsMsg): void {
    const parsed = parseEventEnvelope(messageJson(message));
    if (!parsed.ok) {
      this.logger.warn({ subject: message.subject, error: parsed.error }, 'dropped a malformed event');
      return;
    }
    void this.apply(parsed.event).catch((error: unknown) =>
      this.logger.warn({ err: error, type: parsed.event.type }, 'a revocation could not be applied'),
    );
  }

  private async apply(event: EventEnvelope): Promise<void> {
    if (!isRevocation(event)) return;
    switch (event.type) {
      case 'server.access-changed': {
        const { serverId, userId } = event.data;
        const watching = this.sessions.ofUser(userId).filter((session) => session.joined.has(serverId));
        await Promise.all(watching.map((session) => this.sessions.recheck(session, serverId)));
        return;
      }
      case 'user.suspended':
      case 'user.role-changed':
        await Promise.all(this.sessions.ofUser(event.data.userId).map((session) => this.sessions.revalidate(session)));
        return;
      case 'apikey.revoked': {
        const { keyId, userId } = event.data;
        for (const session of this.sessions.ofUser(userId)) {
          if (session.actor.apiKey?.id === keyId) {
            this.sessions.end(session, { code: 'UNAUTHENTICATED', message: 'the API key was revoked' });
          }
        }
        return;
      }
    }
  }
}

function isRevocation(event: EventEnvelope): event is RevocationEvent {
  return (revocations as readonly EventSubject[]).includes(event.type);
}
