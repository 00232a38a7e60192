// The console's gateway leg: the real gateway (a child process) between the console service and socket.io
// viewers. Viewers are lean clients (`console-lean-viewer.ts`) in child processes of their own (this file,
// `--viewers-child`), so their reading does not share the gateway's or the measuring process's event loop;
// each counts the numbered lines it gets and the time from the line's writing to its arrival (lines carry
// their writing time, see console.ts), and acknowledges every frame, as a panel does.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { type ConsoleLine, type RpcPayload, type RpcResponse } from '@blockplane/contracts';
import { type NatsConnection, RpcResponder } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { ConsoleViewer, spawnService } from '@blockplane/testing';
import { LeanViewer } from './console-lean-viewer.js';
import { cpuSeconds, inParallel, percentile, type Result, roundTripFigures, scrapeMetrics } from './measure.js';

const logger = createLogger('bench-console-gateway', { level: 'silent' });
/** Latencies are counted in 1 ms buckets up to this; slower lines land in the last one. */
const HISTOGRAM_MS = 60_000;
const CONNECT_CONCURRENCY = 50;

type ToViewers =
  | { type: 'connect'; url: string; token: string; serverIds: string[]; count: number; acknowledge: boolean }
  | { type: 'reset' }
  | { type: 'report' }
  | { type: 'close' };
type FromViewers =
  | { type: 'connected' }
  | { type: 'reset' }
  | {
      type: 'report';
      received: number[];
      /** Lines each viewer was told it missed for falling behind. */
      skipped: number[];
      /** Lines each viewer was told the console's flood throttle dropped. */
      throttled: number[];
      histogram: number[];
      /** The process's own event-loop delay p99 (ms): how late it read what had arrived. */
      loopDelayP99Ms: number;
    }
  | { type: 'closed' };

// ── A viewers' process ─────────────────────────────────────────────────────────────────────────────────

export async function runViewersChild(): Promise<void> {
  let viewers: LeanViewer[] = [];
  let received: number[] = [];
  let skipped: number[] = [];
  let throttled: number[] = [];
  let histogram = new Array<number>(HISTOGRAM_MS).fill(0);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const reply = (message: FromViewers) => process.send?.(message);
  const bucket = (ms: number) => Math.min(HISTOGRAM_MS - 1, Math.max(0, Math.floor(ms)));
  /** Lines whose writing times are spread evenly from the first's to the last's (the simulator writes every 10 ms). */
  const arrived = (count: number, firstMs: number, lastMs: number) => {
    const [from, to] = [bucket(lastMs), bucket(firstMs)];
    for (let ms = from; ms <= to; ms++) histogram[ms] = (histogram[ms] ?? 0) + count / (to - from + 1);
  };
  const notice = (index: number, line: ConsoleLine) => {
    skipped[index] =
      (skipped[index] ?? 0) + Number(/^── (\d+) lines not shown: this connection/.exec(line.text)?.[1] ?? 0);
    throttled[index] =
      (throttled[index] ?? 0) + Number(/^── (\d+) lines not shown: the server printed/.exec(line.text)?.[1] ?? 0);
  };
  process.on('message', (message: ToViewers) => {
    switch (message.type) {
      case 'connect':
        void (async () => {
          viewers = new Array<LeanViewer>(message.count);
          received = new Array<number>(message.count).fill(0);
          skipped = new Array<number>(message.count).fill(0);
          throttled = new Array<number>(message.count).fill(0);
          const sockets = Array.from({ length: message.count }, (_, i) => i);
          await inParallel(sockets, CONNECT_CONCURRENCY, async (i) => {
            const serverId = message.serverIds[i % message.serverIds.length] ?? '';
            viewers[i] = await LeanViewer.connect(
              message.url,
              message.token,
              serverId,
              {
                lines: (count, firstMs, lastMs) => {
                  received[i] = (received[i] ?? 0) + count;
                  arrived(count, firstMs, lastMs);
                },
                notice: (line) => notice(i, line),
              },
              message.acknowledge,
            );
          });
          reply({ type: 'connected' });
        })().catch((error: unknown) => {
          console.error('viewers could not connect:', error);
          process.exit(1);
        });
        return;
      case 'reset':
        received = received.map(() => 0);
        skipped = skipped.map(() => 0);
        throttled = throttled.map(() => 0);
        histogram = new Array<number>(HISTOGRAM_MS).fill(0);
        loop.reset();
        reply({ type: 'reset' });
        return;
      case 'report':
        reply({ type: 'report', received, skipped, throttled, histogram, loopDelayP99Ms: loop.percentile(99) / 1e6 });
        return;
      case 'close':
        for (const viewer of viewers) viewer.close();
        reply({ type: 'closed' });
        setTimeout(() => process.exit(0), 100);
        return;
    }
  });
}

/**
 * The viewers' reports once nothing more reached them for 3 s (the last frames on their way, the notice a viewer that
 * was behind gets when it has caught up and acknowledged, which a quiet viewer does within a second), at most 30 s
 * after the printing ended.
 */
async function settledReports(children: ViewersChild[]) {
  const deadline = performance.now() + 30_000;
  let heard = -1;
  let quietSeconds = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const reports = await Promise.all(children.map((child) => child.request({ type: 'report' }, 'report')));
    const now = sum(reports.flatMap((r) => [...r.received, ...r.skipped, ...r.throttled]));
    quietSeconds = now === heard ? quietSeconds + 1 : 0;
    if (quietSeconds === 3 || performance.now() > deadline) return reports;
    heard = now;
  }
}

const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);

interface ViewersChild {
  pid: number;
  request<T extends FromViewers['type']>(message: ToViewers, answer: T): Promise<Extract<FromViewers, { type: T }>>;
}

function startViewersChild(): ViewersChild {
  const child = fork(fileURLToPath(import.meta.url), ['--viewers-child']);
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`a viewers' process exited with ${String(code)}`);
  });
  exited.catch(() => undefined);
  const next = async <T extends FromViewers['type']>(type: T) => {
    for (;;) {
      const [message] = (await Promise.race([once(child, 'message'), exited])) as [FromViewers];
      if (message.type === type) return message as Extract<FromViewers, { type: T }>;
    }
  };
  return {
    pid: child.pid ?? 0,
    request: (message, answer) => {
      const reply = next(answer);
      child.send(message);
      return reply;
    },
  };
}

// ── This process: the gateway, auth's and servers' parts, and the scenarios ───────────────────────────

export interface GatewayLegContext {
  nats: NatsConnection;
  consolePid: number;
  simPid: number;
  /** The simulator prints `perPodPerSecond` numbered lines a second on every pod for `seconds`. */
  emit(pods: string[], perPodPerSecond: number, seconds: number): Promise<{ lines: number }>;
  podOf(serverId: string): string;
  /** Follows a few of the servers straight from the simulator: the latency it adds on its own. */
  followDirectly(servers: string[]): { latencies(): number[]; stop(): void };
  seconds: number;
  viewerProcesses: number;
  /** Whether viewers send `seen` (false: as clients older than it, judged by their transport). */
  acknowledge: boolean;
  /** The gateway's CONSOLE_VIEWER_MAX_LAG_MS; undefined: its default. */
  viewerMaxLagMs: string | undefined;
}

export interface GatewayScenario {
  title: string;
  servers: string[];
  viewersPerServer: number;
  perServerPerSecond: number;
}

/**
 * Access tokens as auth signs them (`sign`: one of a new account), and auth's answers the gateway asks for
 * (`auth.jwks`, `auth.principal`).
 */
async function standInAuth(
  nats: NatsConnection,
): Promise<{ token: string; sign(): Promise<string>; responders: RpcResponder[] }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const kid = crypto.randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kty: 'OKP', kid, alg: 'EdDSA', use: 'sig' };
  const sign = () =>
    new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setSubject(crypto.randomUUID())
      .setIssuer('blockplane-auth')
      .setAudience('blockplane-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  const token = await sign();
  const queue = `${nats.namespace}.auth`;
  const responders = [
    new RpcResponder(nats, queue, { subject: 'auth.jwks', handle: async () => ({ keys: [jwk] }) }, logger),
    new RpcResponder(
      nats,
      queue,
      {
        subject: 'auth.principal',
        handle: async (request): Promise<RpcResponse<'auth.principal'>> => ({
          userId: (request as RpcPayload<'auth.principal'>).userId,
          role: 'user',
          status: 'active',
        }),
      },
      logger,
    ),
  ];
  for (const responder of responders) responder.start();
  return { token, sign, responders };
}

function histogramPercentile(histogram: number[], p: number): number {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return Number.NaN;
  let seen = 0;
  for (const [ms, n] of histogram.entries()) {
    seen += n;
    if (seen >= (p / 100) * total) return ms;
  }
  return HISTOGRAM_MS;
}

/**
 * Each scenario on a gateway of its own (a fresh process: its memory and leases start empty), viewers
 * spread over `viewerProcesses` processes; answers the figures to print.
 */
export async function runGatewayScenario(scenario: GatewayScenario, context: GatewayLegContext): Promise<Result[]> {
  const { nats, seconds } = context;
  const auth = await standInAuth(nats);
  const gateway = await spawnService('gateway', {
    NATS_NAMESPACE: nats.namespace,
    LOG_LEVEL: 'warn',
    ...(context.viewerMaxLagMs ? { CONSOLE_VIEWER_MAX_LAG_MS: context.viewerMaxLagMs } : {}),
    // E.g. --cpu-prof, to see where the gateway's time goes.
    ...(process.env['GATEWAY_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['GATEWAY_NODE_OPTIONS'] } : {}),
  });
  const children = Array.from({ length: context.viewerProcesses }, () => startViewersChild());
  try {
    const total = scenario.servers.length * scenario.viewersPerServer;
    // Viewer i watches server i % servers: an even share of every server's viewers in each process.
    await Promise.all(
      children.map((child, c) => {
        const count = Math.floor(total / children.length) + (c < total % children.length ? 1 : 0);
        const serverIds =
          scenario.servers.length === 1
            ? scenario.servers
            : scenario.servers.filter((_, i) => i % children.length === c);
        const connect = { type: 'connect', url: gateway.url, token: auth.token, serverIds, count } as const;
        return child.request({ ...connect, acknowledge: context.acknowledge }, 'connected');
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // every stream open and following
    await Promise.all(children.map((child) => child.request({ type: 'reset' }, 'reset')));
    const gatewayPid = gateway.child.pid ?? 0;
    const cpu = () => ({
      console: cpuSeconds(context.consolePid),
      gateway: cpuSeconds(gatewayPid),
      viewers: children.reduce((sum, child) => sum + cpuSeconds(child.pid), 0),
      sim: cpuSeconds(context.simPid),
    });
    /** The gateway's event-loop delay p99 since the last scrape, and how many outputs it handed on (in time). */
    const scrape = async () => {
      const metric = await scrapeMetrics(gateway.url);
      return {
        loopDelayMs: metric('nodejs_eventloop_lag_p99_seconds') * 1000,
        outputs: metric('gateway_console_line_age_seconds_bucket', 'le="+Inf"'),
        outputsWithin250Ms: metric('gateway_console_line_age_seconds_bucket', 'le="0.25"'),
      };
    };
    const direct = context.followDirectly(scenario.servers);
    const metricsBefore = await scrape();
    const before = cpu();
    const wall = performance.now();
    const pods = scenario.servers.map((id) => context.podOf(id));
    const emitted = await context.emit(pods, scenario.perServerPerSecond, seconds);
    // CPU while the server printed: what keeping up with it costs.
    const after = cpu();
    const elapsed = (performance.now() - wall) / 1000;
    const reports = await settledReports(children);
    direct.stop();
    const metricsAfter = await scrape();
    const gatewayLoopMs = metricsAfter.loopDelayMs;
    // The gateway's side, without the viewers' own delay: the share of outputs it handed to the viewers' sockets
    // more than 250 ms after their oldest line was written (per output to a room, not per viewer or line).
    const handedLate =
      1 -
      (metricsAfter.outputsWithin250Ms - metricsBefore.outputsWithin250Ms) /
        Math.max(1, metricsAfter.outputs - metricsBefore.outputs);
    const perViewer = reports.flatMap((r) => r.received).map((lines) => lines / seconds);
    perViewer.sort((a, b) => a - b);
    const histogram = new Array<number>(HISTOGRAM_MS).fill(0);
    for (const r of reports) r.histogram.forEach((n, ms) => (histogram[ms] = (histogram[ms] ?? 0) + n));
    const received = reports.flatMap((r) => r.received);
    const skipped = reports.flatMap((r) => r.skipped);
    const throttled = reports.flatMap((r) => r.throttled);
    const viewers = received.length;
    const printedPerServer = emitted.lines / scenario.servers.length;
    // A line a viewer neither got nor heard of in a notice (the throttle's, or the gateway's when it fell behind).
    const untold = received.map((n, i) => printedPerServer - n - (skipped[i] ?? 0) - (throttled[i] ?? 0));

    const percent = (key: keyof typeof before) => ((after[key] - before[key]) / elapsed) * 100;
    console.log(`\n${scenario.title}, through the real gateway (load ${readFileSync('/proc/loadavg', 'utf8').trim()})`);
    return [
      { name: 'lines printed per second per server', value: printedPerServer / seconds, unit: 'lines/s' },
      { name: 'delivered lines/s per viewer: slowest', value: perViewer[0] ?? 0, unit: 'lines/s' },
      {
        name: 'delivered lines/s per viewer: median',
        value: perViewer[Math.floor(perViewer.length / 2)] ?? 0,
        unit: 'lines/s',
      },
      {
        name: 'lines dropped by the console throttle, per viewer (told)',
        value: sum(throttled) / Math.max(1, viewers),
        unit: 'lines',
      },
      {
        name: 'viewers that fell behind and were skipped at least once',
        value: skipped.filter((n) => n > 0).length,
        unit: `of ${viewers}`,
      },
      {
        name: 'lines skipped for viewers that fell behind (told), per viewer',
        value: sum(skipped) / Math.max(1, viewers),
        unit: 'lines',
      },
      { name: 'lines a viewer neither got nor was told of: worst viewer', value: Math.max(...untold), unit: 'lines' },
      { name: 'line latency p50 (written → viewer)', value: histogramPercentile(histogram, 50), unit: 'ms' },
      {
        name: 'line latency p99 (written → viewer)',
        value: histogramPercentile(histogram, 99),
        unit: 'ms',
        target: { max: 250 },
      },
      { name: '  outputs handed to the sockets > 250 ms after their oldest line', value: handedLate * 100, unit: '%' },
      { name: '  the simulator alone (direct follows): p50', value: percentile(direct.latencies(), 50), unit: 'ms' },
      { name: '  the simulator alone (direct follows): p99', value: percentile(direct.latencies(), 99), unit: 'ms' },
      { name: 'event-loop delay p99: gateway', value: gatewayLoopMs, unit: 'ms' },
      // The viewers' own lateness is in every latency above: a figure near it says the clients, not the panel, lag.
      {
        name: 'event-loop delay p99: viewer processes (worst)',
        value: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
        unit: 'ms',
      },
      { name: 'console CPU', value: percent('console'), unit: '% of a core' },
      { name: 'gateway CPU', value: percent('gateway'), unit: '% of a core' },
      { name: 'console + gateway CPU', value: percent('console') + percent('gateway'), unit: '% of a core' },
      { name: `viewer processes CPU (${children.length})`, value: percent('viewers'), unit: '% of a core' },
      { name: 'simulator CPU', value: percent('sim'), unit: '% of a core' },
    ];
  } finally {
    await Promise.all(children.map((child) => child.request({ type: 'close' }, 'closed')));
    await gateway.stop();
    await Promise.all(auth.responders.map((responder) => responder.stop()));
  }
}

/**
 * Commands through the real gateway's socket (socket → gateway → NATS → console → RCON and back), each
 * paired with one straight to the server (`serverAlone`), so both see the same moment's load: the panel's
 * share is the difference. A new account every 10 commands: the rate limit (burst 10) is not measured.
 */
export async function socketCommandRoundTrips(
  context: Pick<GatewayLegContext, 'nats'>,
  serverId: string,
  samples: number,
  serverAlone: () => Promise<unknown>,
): Promise<Result[]> {
  const auth = await standInAuth(context.nats);
  const gateway = await spawnService('gateway', { NATS_NAMESPACE: context.nats.namespace, LOG_LEVEL: 'warn' });
  const viaSocket: number[] = [];
  const server: number[] = [];
  let viewer: ConsoleViewer | undefined;
  const time = async (task: () => Promise<unknown>) => {
    const started = performance.now();
    await task();
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < samples; i++) {
      if (i % 10 === 0) {
        viewer?.close();
        viewer = await ConsoleViewer.connect(gateway.url, { token: await auth.sign() });
      }
      const socket = viewer;
      viaSocket.push(
        await time(async () => {
          const answer = await socket?.send('command', { serverId, command: 'seed' });
          if (!answer?.ok) throw new Error(`command answered ${JSON.stringify(answer)}`);
        }),
      );
      server.push(await time(serverAlone));
    }
  } finally {
    viewer?.close();
    await gateway.stop();
    await Promise.all(auth.responders.map((responder) => responder.stop()));
  }
  console.log(
    `\nCommand round trips through the gateway's socket (load ${readFileSync('/proc/loadavg', 'utf8').trim()})`,
  );
  return roundTripFigures('command over the socket (gateway, console, RCON)', viaSocket, server);
}

if (process.argv[2] === '--viewers-child') await runViewersChild();
