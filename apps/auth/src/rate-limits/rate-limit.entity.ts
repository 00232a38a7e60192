import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** One fixed-window counter, keyed `kind:key` (`login-source:203.0.113.7`); written only by `RateLimiter`. */
@Entity({ tableName: 'rate_limit' })
export class RateLimit {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'integer' })
  hits!: number;

  /** When the window ends; the next hit after it starts a new one. Indexed for pruning. */
  @Index()
  @Property({ type: 'timestamptz' })
  resetsAt!: Date;
}
