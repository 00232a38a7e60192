import type { ConsoleBacklog, ConsoleFrame, ConsoleLine, ConsoleStats, ConsoleStatus } from '@blockplane/contracts';
import type { RpcClient } from '@blockplane/messaging';
import type { Histogram, Logger } from '@blockplane/observability';
import type { ConsoleNamespace } from './console-socket.types.js';
import { OutputWindow } from './output-window.js';
import type { ViewerSession } from './viewer-session.js';

/** How long a failed re-attach waits before the next try. */
const RETRY_MS = 1_000;
/** Frames held while (re-)attaching; past this the oldest go (the attach answer brings their lines back). */
const MAX_HELD_FRAMES = 1_000;
/** Epochs left behind, whose late frames are dropped rather than taken for a new run. */
const MAX_RETIRED_EPOCHS = 8;

export interface FeedDeps {
  /** This gateway replica, as the console knows its leases. */
  holder: string;
  rpc: RpcClient;
  /** Lines a joining viewer gets. */
  backlogLines: number;
  /** How far behind (beyond its round trip) an acknowledging viewer may fall before its output is skipped. */
  viewerMaxLagMs: number;
  /**
   * How old the oldest line of each live output is when it leaves for the room: the panel's share of a line's
   * latency, by the container's clock (skew between nodes and the gateway included).
   */
  lineAge: Histogram;
  logger: Logger;
}

/**
 * One server's console at this gateway: ONE lease on the console's stream, whose frames come to this
 * gateway's live subject (`ConsoleFeeds` hands them over), however many viewers (a socket.io room). It
 * keeps the last lines for later joiners, and its place in the stream (`epoch`, `seq`): a frame that skips
 * lines or comes from another run makes it ask the console for what follows its last line, so viewers see
 * every line once, in order, or a notice.
 */
export class ConsoleFeed {
  /** Each viewer and where it stands in the output. */
  private readonly windows = new Map<ViewerSession, OutputWindow>();
  readonly room: string;
  /** Resolves once the first attach answered; rejects with its failure. */
  readonly ready: Promise<void>;
  leaseMs = 15_000;
  private epoch = '';
  private lastSeq = -1;
  private readonly recent: ConsoleLine[] = [];
  private status: ConsoleStatus | undefined;
  private statusAt = Number.NEGATIVE_INFINITY;
  private stats: ConsoleStats | undefined;
  /** Frames that arrived while an attach was out: applied once it answered. */
  private held: ConsoleFrame[] | undefined = [];
  private readonly retired: string[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  /** Lines delivered but not yet sent to the room, and the flush that will send them. */
  private outgoing: ConsoleLine[] = [];
  private flushing: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    readonly serverId: string,
    private readonly nsp: ConsoleNamespace,
    private readonly deps: FeedDeps,
  ) {
    this.room = `server:${serverId}`;
    this.ready = this.start();
    // A failed start is the joiners' to hear of; nothing else waits for it.
    this.ready.catch(() => undefined);
  }

  /** Sends a new viewer the status, the last stats and the last lines, then adds it to the live room. */
  add(viewer: ViewerSession): void {
    // The replay holds the lines still on their way to the room: they go first, to the others only.
    this.flush();
    const { socket } = viewer;
    if (this.status) socket.emit('status', { serverId: this.serverId, ...this.status });
    if (this.stats) socket.emit('stats', this.stats);
    const replay = this.recent.slice(-this.deps.backlogLines);
    socket.emit('console.output', { serverId: this.serverId, lines: replay });
    const window = new OutputWindow();
    window.sending(performance.now(), replay.length);
    // Synchronous with the replay: the next line the room gets is the one after it.
    void socket.join(this.room);
    this.windows.set(viewer, window);
  }

  remove(viewer: ViewerSession): void {
    void viewer.socket.leave(this.room);
    this.windows.delete(viewer);
  }

  get viewers(): number {
    return this.windows.size;
  }

  /**
   * The viewer's `seen`: it has handled `frames` of this server's `console.output` events since its join. One
   * that caught up hears at once how many lines it missed, not with the next frame (a flood may be over).
   */
  seen(viewer: ViewerSession, frames: number): void {
    const window = this.windows.get(viewer);
    if (!window) return;
    const now = performance.now();
    window.acknowledged(frames, now);
    if (!window.owes || window.behind(now, this.deps.viewerMaxLagMs)) return;
    // Lines on their way go first (telling of the missed ones on the way), so the notice comes in its place.
    this.flush();
    if (window.owes) this.tellMissed(viewer, window, this.lastSeq + 1, now);
  }

  /** The console holds no lease of ours any more (it restarted, or the lease ran out): take it again. */
  resync(): void {
    if (this.held || this.stopped) return;
    this.held = [];
    this.reattach();
  }

  /** Gives the lease back; rejects if the console did not take it (it then runs out). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearImmediate(this.flushing);
    await this.deps.rpc.request('console.detach', { holder: this.deps.holder, serverId: this.serverId });
  }

  private async start(): Promise<void> {
    const backlog = await this.attach();
    this.epoch = backlog.epoch;
    this.setStatus(backlog.status);
    this.take(backlog.lines);
    this.releaseHeld();
  }

  private attach(after?: { epoch: string; seq: number }): Promise<ConsoleBacklog> {
    // At least one line, so the answer tells where the stream stands even when viewers get no replay.
    const lines = Math.max(1, this.deps.backlogLines);
    return this.deps.rpc
      .request('console.attach', {
        holder: this.deps.holder,
        serverId: this.serverId,
        lines,
        ...(after ? { after } : {}),
      })
      .then((backlog) => {
        this.leaseMs = backlog.leaseMs;
        return backlog;
      });
  }

  private reattach(): void {
    // After the last line held, if any: the answer is then exactly what followed it, or says it is gone.
    const after = this.lastSeq >= 0 ? { epoch: this.epoch, seq: this.lastSeq } : undefined;
    this.attach(after).then(
      (backlog) => {
        if (this.stopped) return;
        this.caughtUp(backlog, after !== undefined);
        this.releaseHeld();
      },
      (error: unknown) => {
        this.deps.logger.warn({ err: error, serverId: this.serverId }, 'console re-attach failed; retrying');
        if (!this.stopped) this.retryTimer = setTimeout(() => this.reattach(), RETRY_MS);
      },
    );
  }

  /** What followed our last line; when some of it is gone (another run, older than the ring), a notice first. */
  private caughtUp(backlog: ConsoleBacklog, askedAfter: boolean): void {
    if (backlog.status.status !== this.status?.status || backlog.status.reason !== this.status.reason) {
      this.setStatus(backlog.status);
    }
    const sameRun = backlog.epoch === this.epoch;
    if (!sameRun) {
      this.retire(this.epoch);
      this.epoch = backlog.epoch;
      this.lastSeq = -1;
    }
    const fresh = backlog.lines.filter((line) => line.seq > this.lastSeq);
    const next = fresh[0]?.seq ?? this.lastSeq + 1;
    const whole = sameRun && (askedAfter ? backlog.complete : next === this.lastSeq + 1);
    if (whole) {
      this.deliver(fresh);
      return;
    }
    const notice: ConsoleLine = {
      seq: next,
      time: new Date().toISOString(),
      kind: 'notice',
      text: '── some lines could not be shown: the console stream was interrupted ──',
    };
    this.deliver(fresh, notice);
  }

  /** A frame of this server from the console: applied, or held while an attach is out. */
  received(frame: ConsoleFrame): void {
    if (this.stopped) return;
    if (!this.held) {
      this.apply(frame);
      return;
    }
    this.held.push(frame);
    if (this.held.length > MAX_HELD_FRAMES) this.held.shift();
  }

  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = undefined;
    // A frame may find a gap again: the frames after it are then held until the next answer.
    for (const [index, frame] of held.entries()) {
      this.apply(frame);
      const holding = this.holding();
      if (holding) {
        holding.push(...held.slice(index + 1));
        return;
      }
    }
  }

  /** The frames held while an attach is out, if one is. */
  private holding(): ConsoleFrame[] | undefined {
    return this.held;
  }

  private apply(frame: ConsoleFrame): void {
    switch (frame.type) {
      case 'output': {
        if (this.retired.includes(frame.epoch)) return;
        const fresh = frame.lines.filter((line) => frame.epoch !== this.epoch || line.seq > this.lastSeq);
        if (fresh.length === 0) return;
        // A frame lost on the way (core NATS is at most once), or a new run of the stream.
        if (frame.epoch !== this.epoch || fresh[0]?.seq !== this.lastSeq + 1) {
          this.resync();
          return;
        }
        this.deliver(fresh);
        return;
      }
      case 'status': {
        const at = Date.parse(frame.at);
        if (at < this.statusAt) return;
        this.statusAt = at;
        this.setStatus({ status: frame.status, reason: frame.reason });
        return;
      }
      case 'stats': {
        const { type: _type, ...stats } = frame;
        this.stats = stats;
        this.flush();
        this.nsp.to(this.room).emit('stats', stats);
        return;
      }
    }
  }

  private setStatus(status: ConsoleStatus): void {
    this.status = status;
    this.flush();
    this.nsp.to(this.room).emit('status', { serverId: this.serverId, ...status });
  }

  /**
   * Lines go to the room once per turn of the event loop: the frames that came in one turn (a gateway
   * that fell behind finds several) leave as one `console.output`, so a busier gateway writes less often,
   * not more. Judged after the turn's I/O: viewers' `seen` that arrived meanwhile count first, so a stall
   * of the gateway's own is not taken for slow viewers.
   */
  private deliver(lines: ConsoleLine[], notice?: ConsoleLine): void {
    if (lines.length === 0 && !notice) return;
    this.take(lines, notice);
    if (notice) this.outgoing.push(notice);
    for (const line of lines) this.outgoing.push(line);
    this.flushing ??= setImmediate(() => this.flush());
  }

  /** Sends the lines delivered since the last flush, to every viewer not too far behind. */
  private flush(): void {
    clearImmediate(this.flushing);
    this.flushing = undefined;
    const lines = this.outgoing;
    const oldest = lines[0];
    if (!oldest) return;
    this.outgoing = [];
    this.deps.lineAge.observe(Math.max(0, Date.now() - Date.parse(oldest.time)) / 1000);
    this.nsp.to(this.room).except(this.skipped(lines)).emit('console.output', { serverId: this.serverId, lines });
  }

  /**
   * The viewers too far behind to be sent more now (by socket id, as socket.io excludes them from a
   * broadcast): an acknowledging one whose oldest unacknowledged output waited longer than its round trip
   * plus `viewerMaxLagMs` (with a backlog worth shedding), another once its transport holds frames it could
   * not write. One that caught up first hears what it missed: the notices and markers among it, and a count.
   */
  private skipped(lines: ConsoleLine[]): string[] {
    const behind: string[] = [];
    const now = performance.now();
    let special: ConsoleLine[] | undefined;
    for (const [viewer, window] of this.windows) {
      const lagging = window.acknowledging ? window.behind(now, this.deps.viewerMaxLagMs) : viewer.lagging;
      if (lagging) {
        special ??= lines.filter((line) => line.kind !== 'output');
        window.skip(lines.length, special);
        behind.push(viewer.socket.id);
        continue;
      }
      if (window.owes) this.tellMissed(viewer, window, lines[0]?.seq ?? 0, now);
      window.sending(now, lines.length);
      viewer.sent();
    }
    return behind;
  }

  /** What the viewer was not sent while behind: the notices and markers among it, and a count of the rest. */
  private tellMissed(viewer: ViewerSession, window: OutputWindow, seq: number, now: number): void {
    const lines = window.owed(seq);
    viewer.socket.emit('console.output', { serverId: this.serverId, lines });
    window.sending(now, lines.length);
  }

  /** Keeps the last lines for later joiners and the position of the console's last line. */
  private take(lines: ConsoleLine[], notice?: ConsoleLine): void {
    const last = lines.at(-1);
    if (last) this.lastSeq = last.seq;
    const { backlogLines } = this.deps;
    if (backlogLines === 0) return;
    if (notice) this.recent.push(notice);
    for (const line of lines) this.recent.push(line);
    // Trimmed once it holds twice the replay, not at every frame: a frame costs its own lines, not the replay's.
    if (this.recent.length > 2 * backlogLines) this.recent.splice(0, this.recent.length - backlogLines);
  }

  private retire(epoch: string): void {
    if (epoch === '') return;
    this.retired.push(epoch);
    if (this.retired.length > MAX_RETIRED_EPOCHS) this.retired.shift();
  }
}
