/** Dropped lines are told at most this often: a sustained flood makes one notice a second, not one a window. */
const TELL_EVERY_MS = 1_000;

/**
 * Admits at most `limit` lines per window of `windowMs`; the rest are dropped and counted, so the stream
 * can say how many a viewer did not see. Times are the lines' own (when the server wrote them), so the
 * limit is on what the server printed, not on how bunched the lines arrive. A fixed window: a flood is
 * cut at once, and a quiet moment resets it.
 */
export class FloodGate {
  private windowStart = Number.NEGATIVE_INFINITY;
  private admitted = 0;
  private dropped = 0;
  private toldAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  admit(at: number): boolean {
    if (at - this.windowStart >= this.windowMs || at < this.windowStart) {
      this.windowStart = at;
      this.admitted = 0;
    }
    if (this.admitted < this.limit) {
      this.admitted += 1;
      return true;
    }
    this.dropped += 1;
    return false;
  }

  /**
   * How long after `now` to tell of the lines dropped: when the window of the line written at `at` ends, and no
   * sooner than a second after the last telling (`now`, `toldAt`: the caller's clock; `at`: the lines' own).
   */
  tellInMs(at: number, now: number): number {
    const windowEndsInMs = this.windowStart + this.windowMs - at;
    return Math.max(0, windowEndsInMs, this.toldAt + TELL_EVERY_MS - now);
  }

  /** The lines dropped since the last call, told at `now`. */
  takeDropped(now: number): number {
    const dropped = this.dropped;
    this.dropped = 0;
    this.toldAt = now;
    return dropped;
  }
}
