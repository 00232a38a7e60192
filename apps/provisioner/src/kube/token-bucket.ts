/**
 * A client-side rate limit (client-go's QPS/burst): `burst` tokens at most, refilled at `qps` per second.
 * `take()` resolves when a token is available; waiters are served in order.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  /** Milliseconds until a token is free (0 when one is), after refilling. */
  delayMs(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.qps) * 1000);
  }

  private async waitForToken(): Promise<void> {
    for (let wait = this.delayMs(); wait > 0; wait = this.delayMs()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.tokens -= 1;
  }
}
