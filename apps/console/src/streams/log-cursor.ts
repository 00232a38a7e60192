import { timeKey, wholeSecond } from './log-lines.js';

/**
 * Where a follower stands in one container's log, so a cut stream resumes with nothing lost or repeated.
 * The resume asks for every line since the second of the last line delivered; lines before the last
 * timestamp are old, and of the lines that share it (many a millisecond in a flood) the first as many as
 * were delivered are skipped: lines of one container keep their order, so position tells them apart.
 */
export class LogCursor {
  private lastKey: string | undefined;
  private lastTime: string | undefined;
  /** Lines delivered with the last timestamp. */
  private delivered = 0;
  /** Lines with the last timestamp seen since the stream (re)opened. */
  private seen = 0;

  /** The `sinceTime` to resume from; undefined before the first line. */
  resumeFrom(): string | undefined {
    return this.lastTime === undefined ? undefined : wholeSecond(this.lastTime);
  }

  /** A stream is about to replay from `resumeFrom()`. */
  rewind(): void {
    this.seen = 0;
  }

  /**
   * The container restarted in the same pod: its next run writes after the last line (one node, one
   * clock), and none of its lines were delivered yet, even those that share the last timestamp.
   */
  newRun(): void {
    this.delivered = 0;
    this.seen = 0;
  }

  /** Another pod's log starts (maybe on another node's clock): read it from its first line. */
  reset(): void {
    this.lastKey = undefined;
    this.lastTime = undefined;
    this.delivered = 0;
    this.seen = 0;
  }

  /** Whether the line with this time is new; records it when it is. */
  accept(time: string): boolean {
    const key = timeKey(time);
    if (this.lastKey === undefined || key > this.lastKey) {
      this.lastKey = key;
      this.lastTime = time;
      this.delivered = 1;
      this.seen = 1;
      return true;
    }
    if (key < this.lastKey) return false;
    this.seen += 1;
    if (this.seen <= this.delivered) return false;
    this.delivered = this.seen;
    return true;
  }
}
