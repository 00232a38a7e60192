import { randomUUID } from 'node:crypto';
import type {
  ConsoleFrame,
  ConsoleLine,
  ConsoleLineKind,
  ConsoleStatus,
  EventPayload,
  RpcResponse,
} from '@blockplane/contracts';
import type { Logger } from '@blockplane/observability';
import type { ConsoleConfig } from '../console.config.js';
import type { ConsoleMetrics } from '../console.metrics.js';
import type { GamePods } from '../kube/game-pods.js';
import type { KubeApi } from '../kube/kube-api.js';
import { FloodGate } from './flood-gate.js';
import { FramePacer } from './frame-pacer.js';
import { LineRing } from './line-ring.js';
import { LogFollower, type LogSink } from './log-follower.js';
import { epochMillis, toIsoMillis } from './log-lines.js';

/** A frame is sent early once it holds this much text, so it stays well under NATS' 1 MB payload limit. */
const MAX_FRAME_CHARS = 256 * 1024;
/** What a line costs in a frame besides its text (seq, time, kind, JSON). */
const LINE_OVERHEAD_CHARS = 64;

export interface ConsoleStreamDeps {
  config: ConsoleConfig;
  kube: KubeApi;
  pods: GamePods;
  metrics: ConsoleMetrics;
  logger: Logger;
  /** The server's status as the panel holds it now, and when it was read (the servers service). */
  status(serverId: string): Promise<RpcResponse<'servers.status'>>;
  /** Sends a frame to the gateways named. */
  publish(frame: ConsoleFrame, holders: Iterable<string>): void;
  /** The stream has lines to send: call `flushIfDue` on it until it has sent them. */
  schedule(stream: ConsoleStream): void;
}

/**
 * One watched server: the leases of the gateways that hold its viewers, its one upstream log stream,
 * the ring of its last lines, and its frames (output lines through the flood throttle, about a frame
 * per `frameMs`; the panel's status changes as they happen).
 */
export class ConsoleStream implements LogSink {
  readonly epoch = randomUUID();
  private nextSeq = 0;
  private readonly ring: LineRing;
  private readonly gate: FloodGate;
  private readonly leases = new Map<string, number>();
  private readonly follower: LogFollower;
  private pending: ConsoleLine[] = [];
  private pendingChars = 0;
  private pendingOutput = 0;
  private readonly pacer: FramePacer;
  private floodTimer: NodeJS.Timeout | undefined;
  /**
   * The panel's status: asked once when the stream opens (`known` once answered), then every change relayed.
   * Each comes with when it was true (`currentAt`): an answer or a change older than what is held is stale.
   */
  private current: ConsoleStatus | undefined;
  private currentAt = Number.NEGATIVE_INFINITY;
  private known = false;
  private asking: Promise<ConsoleStatus> | undefined;

  constructor(
    readonly serverId: string,
    private readonly deps: ConsoleStreamDeps,
  ) {
    const { config } = deps;
    this.ring = new LineRing(config.ringLines);
    this.gate = new FloodGate(config.flood.lines, config.flood.windowMs);
    this.pacer = new FramePacer(config.frameMs);
    this.follower = new LogFollower(serverId, { ...deps, sink: this, tailLines: config.ringLines });
  }

  /** The status viewers start from; asked of the servers service until it answers once (its failure is the caller's). */
  status(): Promise<ConsoleStatus> {
    if (this.known && this.current) return Promise.resolve(this.current);
    this.asking ??= this.deps.status(this.serverId).then(
      ({ at, ...answer }) => {
        this.known = true;
        this.change(answer, at);
        return this.current ?? answer;
      },
      (error: unknown) => {
        this.asking = undefined;
        throw error;
      },
    );
    return this.asking;
  }

  /** Resolves once the ring holds the server's last lines (or it is known there are none). */
  get ready(): Promise<void> {
    return this.follower.ready;
  }

  /** A status transition the servers service announced. */
  statusChanged({ status, reason, at }: EventPayload<'server.status-changed'>): void {
    this.change({ status, reason }, at);
  }

  lease(holder: string, until: number): void {
    this.leases.set(holder, until);
  }

  holds(holder: string): boolean {
    return this.leases.has(holder);
  }

  /** Sends a frame to every gateway holding a lease. */
  publish(frame: ConsoleFrame): void {
    this.deps.publish(frame, this.leases.keys());
  }

  release(holder: string): void {
    this.leases.delete(holder);
  }

  /** Drops the leases that ran out; whether any is left. */
  expire(now: number): boolean {
    for (const [holder, until] of this.leases) if (until <= now) this.leases.delete(holder);
    return this.leases.size > 0;
  }

  /** The last `count` lines, or the lines after a caller's position if the ring still has them all. */
  backlog(count: number, after?: { epoch: string; seq: number }): { lines: ConsoleLine[]; complete: boolean } {
    if (!after) return { lines: this.ring.last(count), complete: true };
    const rest = after.epoch === this.epoch ? this.ring.after(after.seq) : undefined;
    return rest ? { lines: rest, complete: true } : { lines: this.ring.last(count), complete: false };
  }

  history(time: string, text: string): void {
    this.ring.push({ seq: this.nextSeq++, time: toIsoMillis(time), kind: 'output', text });
  }

  line(time: string, text: string): void {
    const at = epochMillis(time);
    if (!this.gate.admit(at)) {
      this.floodTimer ??= setTimeout(() => this.reportFlood(), this.gate.tellInMs(at, performance.now()));
      return;
    }
    this.pendingOutput += 1;
    this.append('output', toIsoMillis(time), text);
  }

  marker(text: string): void {
    this.append('marker', new Date().toISOString(), text);
  }

  async close(): Promise<void> {
    await this.follower.stop();
    clearTimeout(this.floodTimer);
    this.flush();
  }

  private append(kind: ConsoleLineKind, time: string, text: string): void {
    const line = { seq: this.nextSeq++, time, kind, text };
    this.ring.push(line);
    this.pending.push(line);
    this.pendingChars += text.length + LINE_OVERHEAD_CHARS;
    if (this.pendingChars >= MAX_FRAME_CHARS) this.flush();
    else if (this.pending.length === 1) this.deps.schedule(this);
  }

  /**
   * Sends the pending lines if the pacer allows a frame now: about one frame per `frameMs`, so a line after
   * a quiet spell goes out at the next tick, a busy server's lines wait for their frame's turn.
   * Whether nothing is left to send.
   */
  flushIfDue(now: number): boolean {
    if (this.pending.length > 0 && this.pacer.allows(now)) this.flush();
    return this.pending.length === 0;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.deps.metrics.lines.inc({ outcome: 'published' }, this.pendingOutput);
    this.pending = [];
    this.pendingChars = 0;
    this.pendingOutput = 0;
    this.pacer.sent(performance.now());
    this.publish({ type: 'output', serverId: this.serverId, epoch: this.epoch, lines });
  }

  private reportFlood(): void {
    this.floodTimer = undefined;
    const dropped = this.gate.takeDropped(performance.now());
    this.deps.metrics.lines.inc({ outcome: 'dropped' }, dropped);
    const { lines, windowMs } = this.deps.config.flood;
    if (dropped > 0)
      this.notice(`── ${dropped} lines not shown: the server printed more than ${lines} lines in ${windowMs} ms ──`);
  }

  private notice(text: string): void {
    this.append('notice', new Date().toISOString(), text);
  }

  /**
   * Takes a status unless what is held is newer; a change of a status viewers already had is told: the
   * lines so far, then a notice line and the status frame, in the order they happened.
   */
  private change(next: ConsoleStatus, at: string): void {
    const time = Date.parse(at);
    if (time < this.currentAt) return;
    const previous = this.current;
    this.current = next;
    this.currentAt = time;
    if (!previous || (previous.status === next.status && previous.reason === next.reason)) return;
    this.notice(`── server ${next.status}${next.reason ? `: ${next.reason}` : ''} ──`);
    this.flush();
    this.publish({ type: 'status', serverId: this.serverId, at, ...next });
  }
}
