import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { ActivityAction } from '@blockplane/contracts';

const newestFirst = [
  { name: 'occurredAt', sort: 'DESC' },
  { name: 'id', sort: 'DESC' },
] as const;

/** One state-changing action, as the gateway recorded it after it succeeded. Read newest first. */
@Entity({ tableName: 'activity' })
// Keyset pages newest first, each one index range scan: a server's log, the whole log, one actor's.
@Index({ name: 'activity_server_newest_index', columns: [{ name: 'serverId' }, ...newestFirst] })
@Index({ name: 'activity_newest_index', columns: [...newestFirst] })
@Index({ name: 'activity_actor_newest_index', columns: [{ name: 'actorId' }, ...newestFirst] })
export class Activity {
  /** The entry's own id from the gateway: a copy published twice is stored once. */
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** Milliseconds, like a JS Date: a page cursor holds it exactly. */
  @Property({ type: 'timestamptz', length: 3 })
  occurredAt!: Date;

  /**
   * Plain text, no check constraint: every entry passed the contract's `activityActions` when it was
   * consumed (`activity.recorded` is validated on arrival), so a new action needs no migration.
   */
  @Property({ type: 'text' })
  action!: ActivityAction;

  @Property({ type: 'uuid' })
  actorId!: string;

  @Property({ type: 'uuid', nullable: true })
  apiKeyId: string | null = null;

  @Property({ type: 'text' })
  source!: string;

  @Property({ type: 'uuid', nullable: true })
  serverId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  subjectUserId: string | null = null;

  @Property({ type: 'json' })
  details!: Record<string, unknown>;
}
