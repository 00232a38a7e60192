import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Logger } from '@blockplane/observability';
import { backoffMs } from '../backoff.js';
import type { ConsoleMetrics } from '../console.metrics.js';
import { gameContainer, type GameContainer } from '../kube/game-pod.js';
import type { GamePods } from '../kube/game-pods.js';
import type { KubeApi, PodLogQuery } from '../kube/kube-api.js';
import { LogCursor } from './log-cursor.js';
import { LineSplitter, parseTimedLine } from './log-lines.js';

/** Where the lines a follower reads go. */
export interface LogSink {
  /** The lines the server printed before the stream opened, for the ring only. */
  history(time: string, text: string): void;
  line(time: string, text: string): void;
  marker(text: string): void;
}

export interface LogFollowerDeps {
  kube: KubeApi;
  pods: GamePods;
  metrics: ConsoleMetrics;
  logger: Logger;
  sink: LogSink;
  /** Lines read when the stream first opens, for the ring. */
  tailLines: number;
}

/** The container run a follow is meant to read. */
interface Run {
  podUid: string;
  containerId: string;
}

/**
 * The one upstream log stream of a server. It reads the last lines, then follows; when the stream ends
 * (cut, container stopped) it resumes from the last line's time without repeats (LogCursor); when the
 * pod shows another container run, it reads what the old run printed last, writes a marker line, and
 * follows the new run from its first line; a new pod is read from its first line. In between it waits
 * for the pod to change, with back-off.
 *
 * The log endpoint serves whatever run is current when the request arrives, and the pod's status can lag
 * behind it: a read (the first lines, or a follow) is only taken once a fresh read of the pod, made after
 * the stream opened, still shows the run it was meant for. Otherwise a new run's lines could pass for the
 * old one's, and be shown again, after a marker, once the pods cache catches up.
 */
export class LogFollower {
  private readonly cursor = new LogCursor();
  private readonly abort = new AbortController();
  private readonly unwatch: () => void;
  private following: Run | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private markReady!: () => void;
  /** Resolves once the first lines were read (or there were none to read, or reading failed). */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  private readonly done: Promise<void>;

  constructor(
    private readonly serverId: string,
    private readonly deps: LogFollowerDeps,
  ) {
    this.unwatch = deps.pods.watch(serverId, () => this.wake?.());
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch();
    this.abort.abort();
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let progressed = false;
      try {
        progressed = await this.step();
      } catch (error) {
        if (!this.stopped) this.deps.logger.debug({ err: error, serverId: this.serverId }, 'console log read failed');
        this.markReady();
      }
      failures = progressed ? 0 : failures + 1;
      if (!progressed && !this.stopped) await this.pause(backoffMs(failures, { baseMs: 200, maxMs: 5_000 }));
    }
  }

  /** Reads once from where the follower stands; whether any new line came. */
  private async step(): Promise<boolean> {
    const pod = this.deps.pods.get(this.serverId);
    const container = pod && gameContainer(pod);
    const name = pod?.metadata?.name;
    if (!pod || !name || !container?.id) {
      this.markReady();
      return false;
    }
    const run = { podUid: pod.metadata?.uid ?? '', containerId: container.id };
    let read = 0;
    if (!this.following) {
      const tail = { container: container.name, follow: false, tailLines: this.deps.tailLines };
      const lines = await this.read(name, tail, { run, history: true });
      // The cache is behind the pod: read again once it catches up (a pod change wakes the pause).
      if (lines === undefined) return false;
      read += lines;
      this.markReady();
    } else if (this.following.podUid !== run.podUid) {
      this.deps.sink.marker('── the server started in a new pod; its output follows ──');
      this.cursor.reset();
      read += 1;
    } else if (this.following.containerId !== run.containerId) {
      read += await this.switchRun(name, container);
    }
    this.following = run;
    if (!container.running) return read > 0;
    this.cursor.rewind();
    const sinceTime = this.cursor.resumeFrom();
    const query = { container: container.name, follow: true, ...(sinceTime ? { sinceTime } : {}) };
    return ((await this.read(name, query, { run })) ?? 0) + read > 0;
  }

  /** What the run we followed printed last (it may not have reached us before it ended), then a marker. */
  private async switchRun(name: string, container: GameContainer): Promise<number> {
    let read = 0;
    if (container.previousId === this.following?.containerId) {
      this.cursor.rewind();
      const sinceTime = this.cursor.resumeFrom();
      const query = { container: container.name, follow: false, previous: true };
      read = (await this.read(name, { ...query, ...(sinceTime ? { sinceTime } : {}) }).catch(() => 0)) ?? 0;
    }
    this.deps.sink.marker(
      `── the server's container restarted (restart ${container.restartCount}); output of the new run follows ──`,
    );
    this.cursor.newRun();
    return read + 1;
  }

  /**
   * Reads a log request to its end: how many new lines it had. With `run`, only once the pod still shows
   * that run (running, for a follow; see the class comment), else undefined.
   */
  private async read(
    pod: string,
    query: PodLogQuery,
    { run, history = false }: { run?: Run; history?: boolean } = {},
  ): Promise<number | undefined> {
    const body = await this.deps.kube.podLog(pod, query, this.abort.signal);
    if (run && !(await this.stillOn(pod, run, query.follow === true).catch(() => false))) {
      body.destroy();
      return undefined;
    }
    const { upstreamStreams } = this.deps.metrics;
    if (query.follow) upstreamStreams.inc();
    const splitter = new LineSplitter();
    let read = 0;
    try {
      await eachChunk(body, (chunk) => {
        for (const raw of splitter.push(chunk)) {
          const line = parseTimedLine(raw);
          if (!line || !this.cursor.accept(line.time)) continue;
          if (history) this.deps.sink.history(line.time, line.text);
          else this.deps.sink.line(line.time, line.text);
          read += 1;
        }
      });
    } catch (error) {
      // A cut or a reset: the next step resumes after the last whole line (a partial one is read again).
      if (!this.stopped) this.deps.logger.debug({ err: error, serverId: this.serverId }, 'console log stream cut');
    } finally {
      if (query.follow) upstreamStreams.dec();
    }
    return read;
  }

  private async stillOn(pod: string, run: Run, mustRun: boolean): Promise<boolean> {
    const fresh = await this.deps.kube.readPod(pod);
    const container = gameContainer(fresh);
    return fresh.metadata?.uid === run.podUid && container?.id === run.containerId && (container.running || !mustRun);
  }

  /** Sleeps `ms`, or less if the pod changes or the follower stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * Hands each chunk of a log body to `take` as text, as it arrives; settles when the body ends or fails.
 * Events, not `for await`: a follow gets a chunk per line or so, and the async iterator's promise and
 * ticks per chunk cost more than the line itself.
 */
async function eachChunk(body: Readable, take: (text: string) => void): Promise<void> {
  body.setEncoding('utf8');
  body.on('data', (text: string) => {
    try {
      take(text);
    } catch (error) {
      body.destroy(error as Error);
    }
  });
  await finished(body);
}
