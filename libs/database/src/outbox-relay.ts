import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { EventPublisher, NatsConnection } from '@blockplane/messaging';
import { Gauge, LOGGER, type Logger, Registry } from '@blockplane/observability';
import { OutboxEvent } from './outbox-event.entity.js';

const BATCH = 100;
const IDLE_POLL_MS = 250;

/**
 * Publishes committed outbox rows to JetStream in order, then deletes them. At least once:
 * a crash between publish and delete republishes with the same id, which the stream drops.
 * Replicas share the work through `FOR UPDATE SKIP LOCKED`.
 */
@Injectable()
export class OutboxRelay implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly em: EntityManager,
    private readonly publisher: EventPublisher,
    private readonly nats: NatsConnection,
    private readonly registry: Registry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const em = this.em;
    const namespace = this.nats.namespace;
    new Gauge({
      name: 'panel_outbox_lag_seconds',
      help: 'Age of the oldest event not yet relayed from the outbox',
      registers: [this.registry],
      async collect() {
        const [oldest] = await em
          .fork()
          .find(OutboxEvent, { namespace }, { orderBy: { id: 'asc' }, limit: 1, fields: ['createdAt'] });
        this.set(oldest?.createdAt ? (Date.now() - oldest.createdAt.getTime()) / 1000 : 0);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** A new event was staged: look again as soon as its transaction may have committed. */
  soon(): void {
    setImmediate(() => this.wake?.());
  }

  /** Relays one batch; resolves with how many events went out. */
  async relayBatch(): Promise<number> {
    return this.em.fork().transactional(async (em) => {
      const rows = await em.find(
        OutboxEvent,
        { namespace: this.nats.namespace },
        { orderBy: { id: 'asc' }, limit: BATCH, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
      );
      for (const row of rows) await this.publisher.publishEnvelope(row.envelope);
      if (rows.length > 0) await em.nativeDelete(OutboxEvent, { id: { $in: rows.map((row) => row.id) } });
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const relayed = await this.relayBatch();
        failures = 0;
        if (relayed === BATCH) continue;
      } catch (error) {
        failures++;
        this.logger.warn({ err: error, failures }, 'outbox relay failed; retrying');
      }
      await this.pause(failures === 0 ? IDLE_POLL_MS : Math.min(10_000, IDLE_POLL_MS * 2 ** failures));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
