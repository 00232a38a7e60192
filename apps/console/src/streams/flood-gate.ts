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

  /** Milliseconds from `at` until the current window ends. */
  remainingMs(at: number): number {
    return Math.max(0, this.windowStart + this.windowMs - at);
  }

  /** The lines dropped since the last call. */
  takeDropped(): number {
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped;
  }
}
