/**
 * Paces a stream's frames to one per `periodMs` on average, each allowed up to half a period before its
 * turn. Turns follow a schedule rather than the last frame: with "a period after the last frame", a server
 * printing about once a period had each frame's turn pushed later by the one before (timer ticks, jitter),
 * until its lines waited most of a period for nothing.
 */
export class FramePacer {
  /** When the next frame's turn comes. */
  private turn = Number.NEGATIVE_INFINITY;

  constructor(private readonly periodMs: number) {}

  /** Whether a frame may leave at `now`. */
  allows(now: number): boolean {
    return now >= this.turn - this.periodMs / 2;
  }

  /** A frame left at `now`: the next turn is a period after this one's (or after now, after a quiet spell). */
  sent(now: number): void {
    this.turn = Math.max(this.turn, now) + this.periodMs;
  }
}
