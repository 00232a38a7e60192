import type { ConsoleLine } from '@blockplane/contracts';

/**
 * Send times kept (50 s of a busy console): a client that never acknowledges is judged by its transport and
 * must not cost memory without end; one that does is skipped long before.
 */
const MAX_UNSEEN = 1_000;
/**
 * Unacknowledged lines below which a late viewer is not skipped: its lateness is not this output's doing (a busy
 * machine, a slow network), so skipping would lose lines without making the next ones any sooner.
 */
const MIN_BACKLOG_LINES = 200;
/**
 * Unacknowledged lines past which a viewer is behind however recent they are: a second of the busiest console the
 * panel delivers whole (2,000 lines/s). Under a bigger flood, time alone would let a second of it (2 MB a viewer)
 * queue for each viewer before judging; this way each one gets output as fast as it reads it, the rest told.
 */
const MAX_UNSEEN_LINES = 2_000;
/** Notices and markers kept for a viewer that is behind; past this the oldest count as missed lines. */
const MAX_KEPT = 20;

/**
 * Where one viewer stands in one server's output, as its `seen` acknowledgements tell: when each
 * `console.output` it has not acknowledged yet was sent, and what it was not sent while behind: its output
 * lines are counted, its notices and markers (a restart, the flood throttle's count) are kept for it.
 *
 * Why acknowledgements: the gateway cannot see the kernel's socket queue (nor a proxy's), which holds
 * seconds of a busy console, so "the transport took it" says nothing of what the client has read. How long
 * the oldest unacknowledged event has waited, less the connection's own round trip, is how far behind the
 * client really is, wherever the bytes wait.
 */
export class OutputWindow {
  /** Output lines not sent since the viewer fell behind; it hears the count when it catches up. */
  private missed = 0;
  private readonly kept: ConsoleLine[] = [];
  /** `console.output` events sent since the join (the replay is the first), and those acknowledged. */
  private sent = 0;
  private seen = 0;
  private acks = false;
  /** When each unacknowledged event was sent, oldest first; `alone`: nothing else was unacknowledged then. */
  private readonly unseen: { at: number; alone: boolean; lines: number }[] = [];
  private unseenLines = 0;
  /**
   * The shortest time an event sent alone took to be acknowledged: the round trip and the client's handling
   * of one event, no queue. The smallest ever, not a recent one: under a sustained flood a slow client's every
   * acknowledgement is late, and a recent figure would take its slowness for distance.
   */
  private roundTrip = Number.POSITIVE_INFINITY;

  /** Whether the client acknowledges at all (it sent `seen` once); until then its transport is the judge. */
  get acknowledging(): boolean {
    return this.acks;
  }

  /** A `console.output` event of `lines` lines goes to the client now. */
  sending(now: number, lines: number): void {
    this.unseen.push({ at: now, alone: this.unseen.length === 0, lines });
    this.unseenLines += lines;
    this.sent += 1;
    if (this.unseen.length > MAX_UNSEEN) {
      this.unseenLines -= this.unseen.shift()?.lines ?? 0;
      this.seen += 1;
    }
  }

  /** Whether lines were not sent to the viewer that it has not heard of yet. */
  get owes(): boolean {
    return this.missed > 0 || this.kept.length > 0;
  }

  /** `lines` are not sent to the viewer; `special` are the notices and markers among them. */
  skip(lines: number, special: readonly ConsoleLine[]): void {
    this.missed += lines - special.length;
    this.kept.push(...special);
    const over = this.kept.length - MAX_KEPT;
    if (over > 0) this.missed += this.kept.splice(0, over).length;
  }

  /**
   * What the viewer was not sent and has to hear now: the notices and markers kept for it, then how many
   * output lines it missed, numbered as the next line (`seq`).
   */
  owed(seq: number): ConsoleLine[] {
    const lines = this.kept.splice(0);
    if (this.missed > 0) {
      const text = `── ${this.missed} lines not shown: this connection could not keep up ──`;
      lines.push({ seq, time: new Date().toISOString(), kind: 'notice', text });
      this.missed = 0;
    }
    return lines;
  }

  /** The client has handled `frames` events since its join (more than were sent counts as all of them). */
  acknowledged(frames: number, now: number): void {
    this.acks = true;
    const upTo = Math.min(frames, this.sent);
    if (upTo <= this.seen) return;
    const covered = this.unseen.splice(0, upTo - this.seen);
    for (const event of covered) this.unseenLines -= event.lines;
    this.seen = upTo;
    const newest = covered.at(-1);
    if (newest?.alone) this.roundTrip = Math.min(this.roundTrip, now - newest.at);
  }

  /**
   * Whether the client holds more than `maxLagMs` (beyond its round trip) of output unread, and enough to shed, or
   * more unread lines than any client is sent.
   */
  behind(now: number, maxLagMs: number): boolean {
    if (this.unseenLines > MAX_UNSEEN_LINES) return true;
    return this.unseenLines >= MIN_BACKLOG_LINES && this.lagMs(now) > maxLagMs;
  }

  /** How long the client has held output unread beyond its own round trip (0 when it has read everything). */
  lagMs(now: number): number {
    const oldest = this.unseen[0];
    if (!oldest) return 0;
    const roundTrip = Number.isFinite(this.roundTrip) ? this.roundTrip : 0;
    return Math.max(0, now - oldest.at - roundTrip);
  }
}
