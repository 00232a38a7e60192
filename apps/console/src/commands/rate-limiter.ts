/**
 * Token buckets by key: `burst` commands at once, then one more every `refillMs`. Buckets that are full
 * again are pruned once many are held, so the map stays bounded by the callers active of late.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes a token; when none is left, answers how long until one is. */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs) : this.burst;
    if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil((1 - tokens) * this.refillMs) };
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 10_000) this.prune(now);
    return { ok: true };
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets)
      if (bucket.tokens + (now - bucket.at) / this.refillMs >= this.burst) this.buckets.delete(key);
  }
}
