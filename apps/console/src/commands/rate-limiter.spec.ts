import { describe, expect, it } from '@jest/globals';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then one per refill period, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 1000, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('alice:s1').ok)).toEqual([true, true, true, false]);
    expect(limiter.take('bob:s1').ok).toBe(true);
    now = 400;
    expect(limiter.take('alice:s1')).toEqual({ ok: false, retryAfterMs: 600 });
    now = 1000;
    expect(limiter.take('alice:s1').ok).toBe(true);
    expect(limiter.take('alice:s1').ok).toBe(false);
    now = 10_000;
    expect([1, 2, 3, 4].map(() => limiter.take('alice:s1').ok)).toEqual([true, true, true, false]);
  });
});
