import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@blockplane/contracts';
import type { RateRule } from './rate-limits.section.js';

/** The validated `rateLimits` config section, for the services that apply the limits. */
export const RATE_LIMITS = Symbol('RateLimitsConfig');

/** Where a request came from: the caller's address, as the gateway saw it. */
export interface Source {
  source: string;
}

/** One counter: what is counted (`kind`), for whom (`key`), under which rule. */
export interface Bucket {
  kind: string;
  key: string;
  rule: RateRule;
}

// One statement per hit, so replicas never lose a count: a window that has ended starts again at 1.
const HIT = `
  insert into auth.rate_limit as r (key, hits, resets_at) values (?, 1, now() + ? * interval '1 second')
  on conflict (key) do update set
    hits = case when r.resets_at <= now() then 1 else r.hits + 1 end,
    resets_at = case when r.resets_at <= now() then excluded.resets_at else r.resets_at end
  returning hits, ceil(extract(epoch from r.resets_at - now()))::int as retry_after`;
const REFUND = `update auth.rate_limit set hits = hits - 1 where key = ? and hits > 0 and resets_at > now()`;
const PRUNE = `delete from auth.rate_limit where resets_at <= now()`;

/** Fixed-window counters in PostgreSQL, shared by every auth replica; each runs outside any transaction. */
@Injectable()
export class RateLimiter {
  constructor(private readonly em: EntityManager) {}

  /** Counts one attempt; refuses it (RATE_LIMITED) once the window holds more than the rule allows. */
  async consume(bucket: Bucket): Promise<void> {
    const [row] = await this.em
      .getConnection()
      .execute<{ hits: number; retry_after: number }[]>(HIT, [storageKey(bucket), bucket.rule.windowSeconds]);
    if (row && row.hits > bucket.rule.limit) {
      throw new DomainError('RATE_LIMITED', 'too many attempts, try again later', {
        retryAfterSeconds: Math.max(1, row.retry_after),
      });
    }
  }

  /**
   * Counts a possible failure against each bucket, in order, before the attempt is judged; a refusal
   * gives back what this call took from the buckets before it. Counting first keeps concurrent
   * attempts from all slipping under the limit; `refund` returns them when the attempt succeeds.
   */
  async reserve(buckets: readonly Bucket[]): Promise<void> {
    for (const [index, bucket] of buckets.entries()) {
      try {
        await this.consume(bucket);
      } catch (error) {
        await this.refund(buckets.slice(0, index));
        throw error;
      }
    }
  }

  async refund(buckets: readonly Bucket[]): Promise<void> {
    for (const bucket of buckets) await this.em.getConnection().execute(REFUND, [storageKey(bucket)], 'run');
  }

  /** Deletes counters whose window has ended. */
  async prune(): Promise<void> {
    await this.em.getConnection().execute(PRUNE, [], 'run');
  }
}

function storageKey({ kind, key }: Bucket): string {
  return `${kind}:${key}`;
}
