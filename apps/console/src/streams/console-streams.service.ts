import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  type ConsoleBacklog,
  type ConsoleFrame,
  DomainError,
  type EventPayload,
  type RpcPayload,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';
import { LOGGER, type Logger } from '@blockplane/observability';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config.js';
import { ConsoleMetrics } from '../console.metrics.js';
import { GamePods } from '../kube/game-pods.js';
import { KubeApi } from '../kube/kube-api.js';
import { ConsoleStream } from './console-stream.js';
import { FramePublisher } from './frame-publisher.js';

/** How long an attach waits for the cluster's pods, then for the ring's first lines. */
const SYNC_WAIT_MS = 3_000;
const READY_WAIT_MS = 2_000;
const SWEEP_MS = 1_000;
/** How often due frames go out: the frames of a tick leave in one message per gateway. */
const FRAME_TICK_MS = 10;

/**
 * The watched servers: a stream opens with the first lease on a server and closes when the last one
 * ends (detached, or not renewed in time: a gateway that crashed frees its servers by itself).
 */
@Injectable()
export class ConsoleStreams implements OnModuleInit, BeforeApplicationShutdown {
  private readonly streams = new Map<string, ConsoleStream>();
  /** Streams with lines to send. */
  private readonly pending = new Set<ConsoleStream>();
  private readonly openListeners: ((serverId: string) => void)[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly kube: KubeApi,
    private readonly pods: GamePods,
    private readonly frames: FramePublisher,
    private readonly metrics: ConsoleMetrics,
    private readonly rpc: RpcClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.ticker = setInterval(() => this.sendDueFrames(), Math.min(FRAME_TICK_MS, this.config.frameMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.ticker);
    await Promise.all([...this.streams.keys()].map((serverId) => this.close(serverId)));
    this.frames.flush();
  }

  async attach({ holder, serverId, lines, after }: RpcPayload<'console.attach'>): Promise<ConsoleBacklog> {
    if (!(await within(this.pods.whenSynced(), SYNC_WAIT_MS)))
      throw new DomainError('UPSTREAM_UNAVAILABLE', 'the cluster has not answered yet: try again');
    const stream = this.streams.get(serverId) ?? this.open(serverId);
    stream.lease(holder, Date.now() + this.config.leaseMs);
    const [status] = await Promise.all([stream.status(), within(stream.ready, READY_WAIT_MS)]);
    const count = Math.min(lines ?? this.config.backlogLines, this.config.ringLines);
    return { serverId, epoch: stream.epoch, ...stream.backlog(count, after), status, leaseMs: this.config.leaseMs };
  }

  /** The servers service announced a status transition: the server's viewers hear of it, if it has any. */
  statusChanged(change: EventPayload<'server.status-changed'>): void {
    this.streams.get(change.serverId)?.statusChanged(change);
  }

  renew({ holder, serverIds }: RpcPayload<'console.renew'>): { lost: string[] } {
    const until = Date.now() + this.config.leaseMs;
    const lost: string[] = [];
    for (const serverId of serverIds) {
      const stream = this.streams.get(serverId);
      if (stream?.holds(holder)) stream.lease(holder, until);
      else lost.push(serverId);
    }
    return { lost };
  }

  async detach({ holder, serverId }: RpcPayload<'console.detach'>): Promise<Record<string, never>> {
    const stream = this.streams.get(serverId);
    stream?.release(holder);
    if (stream && !stream.expire(Date.now())) await this.close(serverId);
    return {};
  }

  /** Sends a frame to the gateways watching its server, if any. */
  publish(frame: ConsoleFrame): void {
    this.streams.get(frame.serverId)?.publish(frame);
  }

  /** Calls `listener` with each server as its stream opens (someone started watching it). */
  onOpen(listener: (serverId: string) => void): void {
    this.openListeners.push(listener);
  }

  /** The servers someone watches now. */
  watched(): string[] {
    return [...this.streams.keys()];
  }

  private open(serverId: string): ConsoleStream {
    const { config, kube, pods, metrics, logger } = this;
    const stream = new ConsoleStream(serverId, {
      config,
      kube,
      pods,
      metrics,
      logger,
      status: (id) => this.rpc.request('servers.status', { serverId: id }),
      publish: (frame, holders) => this.frames.publish(frame, holders),
      schedule: (stream) => this.pending.add(stream),
    });
    this.streams.set(serverId, stream);
    this.metrics.watchedServers.set(this.streams.size);
    for (const listener of this.openListeners) listener(serverId);
    return stream;
  }

  private async close(serverId: string): Promise<void> {
    const stream = this.streams.get(serverId);
    if (!stream) return;
    this.streams.delete(serverId);
    this.pending.delete(stream);
    this.metrics.watchedServers.set(this.streams.size);
    await stream.close().catch((error: unknown) => this.logger.warn({ err: error, serverId }, 'stream close failed'));
  }

  /**
   * One timer for every stream, not one each: the frames due in a tick are published together, in one
   * message per gateway (a timer per stream made a message per frame).
   */
  private sendDueFrames(): void {
    const now = performance.now();
    for (const stream of this.pending) if (stream.flushIfDue(now)) this.pending.delete(stream);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [serverId, stream] of this.streams) if (!stream.expire(now)) void this.close(serverId);
  }
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
