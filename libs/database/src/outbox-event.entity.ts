import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { EventEnvelope } from '@blockplane/contracts';

/** An event written in the same transaction as the state change it announces, waiting to be relayed. */
@Entity({ tableName: 'outbox_event' })
@Index({ properties: ['namespace', 'id'] })
export class OutboxEvent {
  /** Relay order. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** The NATS namespace it goes to: stacks (and parallel tests) sharing a database relay only their own. */
  @Property({ type: 'text' })
  namespace!: string;

  @Property({ type: 'json' })
  envelope!: EventEnvelope;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt?: Date;
}
