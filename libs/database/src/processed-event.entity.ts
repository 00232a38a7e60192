import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** An event a consumer has handled; the primary key makes a second handling impossible. */
@Entity({ tableName: 'processed_event' })
export class ProcessedEvent {
  @PrimaryKey({ type: 'text' })
  consumer!: string;

  @PrimaryKey({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  processedAt?: Date;
}
