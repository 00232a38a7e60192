import { randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { consoleFrameBatchSchema, consoleFramesSubject } from '@blockplane/contracts';
import { messageJson, NatsConnection, RpcClient } from '@blockplane/messaging';
import { Histogram, LOGGER, type Logger, Registry } from '@blockplane/observability';
import { ConsoleFeed, type FeedDeps } from './console-feed.js';
import { CONSOLE_SOCKET_CONFIG, type ConsoleSocketConfig } from './console-socket.section.js';
import type { ViewerSession } from './viewer-session.js';

/** The most servers one `console.renew` names (the contract's cap). */
const RENEW_BATCH = 10_000;
/** Renewed this often before a lease would end: a late renewal or two still holds it. */
const RENEWALS_PER_LEASE = 3;

/**
 * The servers this gateway replica shows consoles of: one feed (one lease) per server with viewers,
 * opened by its first viewer, closed with its last. The console sends the frames of every server leased
 * here to one live subject of this replica's, handed to each server's feed. Every lease is renewed by one
 * `console.renew`; those the console says we no longer hold are taken again.
 */
@Injectable()
export class ConsoleFeeds implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** This replica's name for its leases: one per process. */
  readonly holder = `gw-${randomUUID()}`;
  private readonly feeds = new Map<string, ConsoleFeed>();
  private readonly deps: FeedDeps;
  private renewal: NodeJS.Timeout | undefined;
  private frames: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly rpc: RpcClient,
    @Inject(CONSOLE_SOCKET_CONFIG) config: ConsoleSocketConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    registry: Registry,
  ) {
    this.deps = {
      holder: this.holder,
      rpc,
      lineAge: new Histogram({
        name: 'gateway_console_line_age_seconds',
        help: "Age of the oldest line of each console output this gateway sends its viewers, by the line's own time",
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
      backlogLines: config.backlogLines,
      viewerMaxLagMs: config.viewerMaxLagMs,
      logger,
    };
  }

  onApplicationBootstrap(): void {
    // Subscribed before any lease is taken: no frame the console sends after an attach's backlog is missed.
    this.frames = this.nats.connection.subscribe(this.nats.liveSubject(consoleFramesSubject(this.holder)), {
      callback: (error, message) => this.received(error, message),
    });
    this.scheduleRenewal();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.renewal);
    this.frames?.unsubscribe();
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    // One warning for all: with the console gone, each of a thousand feeds would log its own.
    const failed = (await Promise.allSettled(feeds.map((feed) => feed.stop()))).filter((r) => r.status === 'rejected');
    if (failed.length > 0)
      this.logger.warn(
        { err: failed[0]?.reason, servers: failed.length },
        'console leases not given back; they run out',
      );
  }

  /** Adds a viewer to the server's feed, opening it (and its lease) if it is the first. */
  async join(viewer: ViewerSession, serverId: string): Promise<void> {
    if (viewer.joined.has(serverId)) return;
    let feed = this.feeds.get(serverId);
    if (!feed) {
      feed = new ConsoleFeed(serverId, viewer.socket.nsp, this.deps);
      this.feeds.set(serverId, feed);
    }
    try {
      await feed.ready;
    } catch (error) {
      // Every joiner of a feed that could not start hears why; the next join tries anew.
      if (this.feeds.get(serverId) === feed) {
        this.feeds.delete(serverId);
        this.stop(feed);
      }
      throw error;
    }
    if (viewer.ended) {
      this.closeIfUnwatched(feed);
      return;
    }
    feed.add(viewer);
    viewer.joined.add(serverId);
  }

  leave(viewer: ViewerSession, serverId: string): void {
    viewer.joined.delete(serverId);
    const feed = this.feeds.get(serverId);
    if (!feed) return;
    feed.remove(viewer);
    this.closeIfUnwatched(feed);
  }

  /** The viewer's acknowledgement of a server's output; one of a server it does not watch changes nothing. */
  seen(viewer: ViewerSession, serverId: string, frames: number): void {
    if (viewer.joined.has(serverId)) this.feeds.get(serverId)?.seen(viewer, frames);
  }

  leaveAll(viewer: ViewerSession): void {
    for (const serverId of [...viewer.joined]) this.leave(viewer, serverId);
  }

  /** Servers with a feed here now (the benchmark and tests read it). */
  watched(): string[] {
    return [...this.feeds.keys()];
  }

  /** A batch of frames from the console: each to its server's feed; one of a server no longer watched is dropped. */
  private received(error: Error | null, message: Msg): void {
    if (error) {
      this.logger.warn({ err: error }, 'console frame subscription failed');
      return;
    }
    const batch = consoleFrameBatchSchema.safeParse(messageJson(message));
    if (!batch.success) {
      this.logger.warn({ issues: batch.error.issues.slice(0, 3) }, 'dropped a malformed batch of console frames');
      return;
    }
    for (const frame of batch.data) this.feeds.get(frame.serverId)?.received(frame);
  }

  private closeIfUnwatched(feed: ConsoleFeed): void {
    if (feed.viewers > 0 || this.feeds.get(feed.serverId) !== feed) return;
    this.feeds.delete(feed.serverId);
    this.stop(feed);
  }

  private stop(feed: ConsoleFeed): void {
    feed
      .stop()
      .catch((error: unknown) =>
        this.logger.warn({ err: error, serverId: feed.serverId }, 'console lease not given back; it runs out'),
      );
  }

  private scheduleRenewal(): void {
    if (this.stopped) return;
    const leaseMs = Math.min(15_000, ...[...this.feeds.values()].map((feed) => feed.leaseMs));
    this.renewal = setTimeout(() => {
      void this.renew().finally(() => this.scheduleRenewal());
    }, leaseMs / RENEWALS_PER_LEASE);
  }

  private async renew(): Promise<void> {
    const serverIds = [...this.feeds.keys()];
    for (let start = 0; start < serverIds.length; start += RENEW_BATCH) {
      const batch = serverIds.slice(start, start + RENEW_BATCH);
      try {
        const { lost } = await this.rpc.request('console.renew', { holder: this.holder, serverIds: batch });
        for (const serverId of lost) this.feeds.get(serverId)?.resync();
      } catch (error) {
        this.logger.warn({ err: error, servers: batch.length }, 'console leases not renewed; trying again');
      }
    }
  }
}
