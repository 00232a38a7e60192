import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsoleStats } from '@blockplane/contracts';
import { LOGGER, type Logger } from '@blockplane/observability';
import { RconSessions } from '../commands/rcon-sessions.js';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config.js';
import { gameContainer } from '../kube/game-pod.js';
import { GamePods } from '../kube/game-pods.js';
import { KubeApi, type PodMetrics } from '../kube/kube-api.js';
import { ConsoleStreams } from '../streams/console-streams.service.js';
import { parsePlayerList } from './players.js';
import { parseQuantity } from './quantity.js';

/** Players are asked of this many servers at once. */
const CONCURRENCY = 32;
/**
 * A round's servers are asked evenly across this share of the interval: all at once, a thousand watched
 * servers made a burst of RCON queries and stats frames every round, which held up their console lines.
 */
const SPREAD = 0.8;
const LIST_TIMEOUT_MS = 2_000;
/** Servers watched within this long of each other get their first stats together (one metrics list). */
const WELCOME_MS = 100;

/**
 * Every few seconds, for the watched servers only, and once as a server gets watched: CPU and memory from
 * `metrics.k8s.io` (one list for the namespace, whatever the number of servers) and players online from
 * each server's RCON `list`.
 */
@Injectable()
export class StatsService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private running = false;
  /** Servers just watched, waiting for their first stats. */
  private readonly newcomers = new Set<string>();
  private greeting: NodeJS.Timeout | undefined;
  private metricsFailed = false;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly streams: ConsoleStreams,
    private readonly pods: GamePods,
    private readonly kube: KubeApi,
    private readonly rcon: RconSessions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Before any `console.attach` is answered (RPC handlers start at bootstrap): no first stream is missed. */
  onModuleInit(): void {
    this.streams.onOpen((serverId) => this.welcome(serverId));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.round(), this.config.statsIntervalMs);
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    clearTimeout(this.greeting);
    this.stopping.abort();
  }

  private async round(): Promise<void> {
    const watched = this.streams.watched();
    if (this.running || watched.length === 0) return;
    this.running = true;
    try {
      await this.send(watched, (this.config.statsIntervalMs * SPREAD) / watched.length);
    } finally {
      this.running = false;
    }
  }

  /** A server just watched: its viewers get stats at once, not up to an interval later with the next round. */
  private welcome(serverId: string): void {
    this.newcomers.add(serverId);
    this.greeting ??= setTimeout(() => void this.greet(), WELCOME_MS);
  }

  private async greet(): Promise<void> {
    this.greeting = undefined;
    const newcomers = [...this.newcomers];
    this.newcomers.clear();
    await this.send(newcomers, 0);
  }

  /** Sends each server's stats, the i-th asked `gapMs` × i after the start. */
  private async send(serverIds: string[], gapMs: number): Promise<void> {
    const usage = await this.podUsage();
    const started = performance.now();
    // One queue for every worker: each takes the next server and its place.
    const queue = serverIds.entries();
    const worker = async () => {
      for (const [index, serverId] of queue) {
        if (!(await this.until(started + index * gapMs))) return;
        this.streams.publish({ type: 'stats', ...(await this.statsOf(serverId, usage)) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, serverIds.length) }, worker));
  }

  /** Waits until `at` (on the `performance.now()` clock); false if the service stops first. */
  private until(at: number): Promise<boolean> {
    const ms = Math.max(0, at - performance.now());
    return sleep(ms, true, { signal: this.stopping.signal }).catch(() => false);
  }

  private async statsOf(serverId: string, usage: Map<string, PodMetrics>): Promise<ConsoleStats> {
    const pod = this.pods.get(serverId);
    const running = pod && gameContainer(pod)?.running;
    const metric = pod?.metadata?.name ? usage.get(pod.metadata.name) : undefined;
    const limits = pod?.spec?.containers[0]?.resources?.limits;
    const sum = (read: (usage: { cpu: string; memory: string }) => string) =>
      metric ? metric.containers.reduce((total, c) => total + (parseQuantity(read(c.usage)) ?? 0), 0) : undefined;
    const cpu = sum((u) => u.cpu);
    const cpuLimit = parseQuantity(limits?.['cpu']);
    return {
      serverId,
      at: new Date().toISOString(),
      cpuMillicores: cpu === undefined ? null : Math.round(cpu * 1000),
      cpuLimitMillicores: cpuLimit === undefined ? null : Math.round(cpuLimit * 1000),
      memoryBytes: sum((u) => u.memory) ?? null,
      memoryLimitBytes: parseQuantity(limits?.['memory']) ?? null,
      players: running ? await this.players(serverId) : null,
    };
  }

  private async players(serverId: string): Promise<ConsoleStats['players']> {
    try {
      return parsePlayerList(await this.rcon.run(serverId, 'list', LIST_TIMEOUT_MS)) ?? null;
    } catch {
      return null; // not up yet, or RCON refused: the next round asks again
    }
  }

  /** Pod metrics by pod name; empty when the cluster has no metrics API (logged once). */
  private async podUsage(): Promise<Map<string, PodMetrics>> {
    try {
      const items = await this.kube.podMetrics();
      this.metricsFailed = false;
      return new Map(items.map((item) => [item.metadata.name, item]));
    } catch (error) {
      if (!this.metricsFailed) this.logger.warn({ err: error }, 'pod metrics are unavailable');
      this.metricsFailed = true;
      return new Map();
    }
  }
}
