import { describe, expect, it } from '@jest/globals';
import { FramePacer } from './frame-pacer.js';

/** Sends a frame at each time the pacer allows, from `from` to `to` in steps of `stepMs`; the times sent. */
function sendWhenAllowed(pacer: FramePacer, from: number, to: number, stepMs: number): number[] {
  const sent: number[] = [];
  for (let now = from; now <= to; now += stepMs) {
    if (!pacer.allows(now)) continue;
    pacer.sent(now);
    sent.push(now);
  }
  return sent;
}

describe('FramePacer', () => {
  it('lets a frame go at once after a quiet spell, then holds the next for half a period', () => {
    const pacer = new FramePacer(50);
    expect(pacer.allows(10_000)).toBe(true);
    pacer.sent(10_000);
    expect(pacer.allows(10_024)).toBe(false);
    expect(pacer.allows(10_025)).toBe(true);
  });

  it('sends at most one frame per period on average, however often it is asked', () => {
    const pacer = new FramePacer(50);
    const sent = sendWhenAllowed(pacer, 0, 10_000, 1);
    expect(sent.length).toBeLessThanOrEqual(10_000 / 50 + 1);
    expect(sent.length).toBeGreaterThanOrEqual(10_000 / 50);
    // Never two frames closer than half a period.
    expect(Math.min(...sent.slice(1).map((at, i) => at - (sent[i] ?? 0)))).toBeGreaterThanOrEqual(25);
  });

  it('keeps a server printing once a period from drifting: each line waits only for the next tick', () => {
    const pacer = new FramePacer(50);
    // Printed once a period, up to 3 ms early or late.
    const printed = Array.from({ length: 1_000 }, (_, line) => 1_000 + line * 50 + ((line * 5) % 7) - 3);
    let next = 0;
    let waited = 0;
    // The tick that sends what is due comes 10 to 13 ms after the one before, as timers do.
    for (let now = 0, tick = 0; next < printed.length; now += 10 + (tick++ % 4)) {
      if ((printed[next] ?? Infinity) > now || !pacer.allows(now)) continue;
      pacer.sent(now);
      // One frame takes every line printed by now.
      for (; (printed[next] ?? Infinity) <= now; next++) waited = Math.max(waited, now - (printed[next] ?? now));
    }
    expect(waited).toBeLessThanOrEqual(13);
  });
});
