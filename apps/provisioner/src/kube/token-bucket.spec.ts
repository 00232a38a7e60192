import { describe, expect, it, jest } from '@jest/globals';
import { TokenBucket } from './token-bucket.js';
import { backoffMs, isRetryable } from './retry.util.js';

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces calls at qps, in order', async () => {
    jest.useFakeTimers();
    try {
      const bucket = new TokenBucket(20, 2);
      const started = Date.now();
      const served: number[] = [];
      for (let call = 0; call < 4; call++) void bucket.take().then(() => served.push(Date.now() - started));
      await jest.advanceTimersByTimeAsync(0);
      expect(served).toEqual([0, 0]);
      // At 20 tokens a second, one every 50 ms.
      await jest.advanceTimersByTimeAsync(100);
      expect(served).toEqual([0, 0, 50, 100]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('says how long until the next token', async () => {
    let now = 0;
    const bucket = new TokenBucket(4, 1, () => now);
    await bucket.take();
    expect(bucket.delayMs()).toBe(250);
    now += 125;
    expect(bucket.delayMs()).toBe(125);
  });
});

describe('retries', () => {
  it('retries conflicts, throttling and server errors only', () => {
    expect([409, 429, 500, 503].every(isRetryable)).toBe(true);
    expect([undefined, 400, 403, 404, 422].some(isRetryable)).toBe(false);
  });

  it('backs off exponentially with jitter, capped, and honours Retry-After', () => {
    const top = { random: () => 1 };
    expect([0, 1, 2, 3].map((attempt) => backoffMs(attempt, undefined, top))).toEqual([100, 200, 400, 800]);
    expect(backoffMs(20, undefined, top)).toBe(5_000);
    expect(backoffMs(3, undefined, { random: () => 0.5 })).toBe(400);
    expect(backoffMs(0, '2', top)).toBe(2_000);
    expect(backoffMs(0, 'soon', top)).toBe(100);
  });
});
