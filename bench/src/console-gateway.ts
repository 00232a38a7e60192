// The console's gateway leg: the real gateway (a child process) between the console service and socket.io
// viewers. Viewers run in child processes of their own (this file, `--viewers-child`), so their parsing
// does not share the gateway's or the measuring process's event loop; each counts the numbered lines it
// gets and the time from the line's writing to its arrival (lines carry their writing time, see console.ts).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { type ConsoleLine, type RpcPayload, type RpcResponse } from '@blockplane/contracts';
import { type NatsConnection, RpcResponder } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { ConsoleViewer, spawnService } from '@blockplane/testing';
import { inParallel, type Result } from './measure.js';

const logger = createLogger('bench-console-gateway', { level: 'silent' });
/** Latencies are counted in 1 ms buckets up to this; slower lines land in the last one. */
const HISTOGRAM_MS = 60_000;
const CONNECT_CONCURRENCY = 50;
const CLOCK_TICKS_PER_S = 100;

type ToViewers =
  | { type: 'connect'; url: string; token: string; serverIds: string[]; count: number }
  | { type: 'reset' }
  | { type: 'report' }
  | { type: 'close' };
type FromViewers =
  | { type: 'connected' }
  | { type: 'reset' }
  | { type: 'report'; received: number[]; skipped: number; throttled: number; histogram: number[] }
  | { type: 'closed' };

// ── A viewers' process ─────────────────────────────────────────────────────────────────────────────────

export async function runViewersChild(): Promise<void> {
  let viewers: ConsoleViewer[] = [];
  let received: number[] = [];
  let skipped = 0;
  let throttled = 0;
  let histogram = new Array<number>(HISTOGRAM_MS).fill(0);
  const reply = (message: FromViewers) => process.send?.(message);
  const count = (index: number, lines: ConsoleLine[]) => {
    const now = performance.timeOrigin + performance.now();
    for (const line of lines) {
      if (line.kind === 'notice') {
        skipped += Number(/^── (\d+) lines not shown: this connection/.exec(line.text)?.[1] ?? 0);
        throttled += Number(/^── (\d+) lines not shown: the server printed/.exec(line.text)?.[1] ?? 0);
      }
      if (!line.text.startsWith('bench ')) continue;
      received[index] = (received[index] ?? 0) + 1;
      const ms = Math.floor(now - Number(line.text.slice(line.text.lastIndexOf(' ') + 1)));
      const bucket = Math.min(HISTOGRAM_MS - 1, Math.max(0, ms));
      histogram[bucket] = (histogram[bucket] ?? 0) + 1;
    }
  };
  process.on('message', (message: ToViewers) => {
    switch (message.type) {
      case 'connect':
        void (async () => {
          const sockets = Array.from({ length: message.count }, (_, i) => i);
          viewers = new Array<ConsoleViewer>(message.count);
          received = new Array<number>(message.count).fill(0);
          await inParallel(sockets, CONNECT_CONCURRENCY, async (i) => {
            const viewer = await ConsoleViewer.connect(message.url, { token: message.token });
            // Counted as they arrive; the viewer keeps nothing (a flood would fill its memory).
            viewer.socket.offAny();
            viewer.socket.on('console.output', (output: { lines: ConsoleLine[] }) => count(i, output.lines));
            const serverId = message.serverIds[i % message.serverIds.length] ?? '';
            const joined = await viewer.send('join', { serverId }, 60_000);
            if (!joined.ok) throw new Error(`join answered ${JSON.stringify(joined.error)}`);
            viewers[i] = viewer;
          });
          reply({ type: 'connected' });
        })().catch((error: unknown) => {
          console.error('viewers could not connect:', error);
          process.exit(1);
        });
        return;
      case 'reset':
        received = received.map(() => 0);
        skipped = 0;
        throttled = 0;
        histogram = new Array<number>(HISTOGRAM_MS).fill(0);
        reply({ type: 'reset' });
        return;
      case 'report':
        reply({ type: 'report', received, skipped, throttled, histogram });
        return;
      case 'close':
        for (const viewer of viewers) viewer.close();
        reply({ type: 'closed' });
        setTimeout(() => process.exit(0), 100);
        return;
    }
  });
}

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
  seconds: number;
  viewerProcesses: number;
}

export interface GatewayScenario {
  title: string;
  servers: string[];
  viewersPerServer: number;
  perServerPerSecond: number;
}

/** An access token as auth signs them, and auth's answers the gateway asks for (`auth.jwks`, `auth.principal`). */
async function standInAuth(nats: NatsConnection): Promise<{ token: string; responders: RpcResponder[] }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const kid = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kty: 'OKP', kid, alg: 'EdDSA', use: 'sig' };
  const token = await new SignJWT({ role: 'user' })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setSubject(userId)
    .setIssuer('blockplane-auth')
    .setAudience('blockplane-api')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
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
  return { token, responders };
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
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
    // Viewers get no replay: every line they count is one printed during the run.
    CONSOLE_BACKLOG_LINES: '0',
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
        return child.request({ type: 'connect', url: gateway.url, token: auth.token, serverIds, count }, 'connected');
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
    const loopDelayMs = async () => {
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      const line = metrics.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_p99_seconds{'));
      return Number(line?.split(' ').pop() ?? Number.NaN) * 1000;
    };
    await loopDelayMs(); // a scrape resets the event-loop delay histogram
    const before = cpu();
    const wall = performance.now();
    const pods = scenario.servers.map((id) => context.podOf(id));
    const emitted = await context.emit(pods, scenario.perServerPerSecond, seconds);
    // CPU while the server printed: what keeping up with it costs.
    const after = cpu();
    const elapsed = (performance.now() - wall) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the last frames on their way
    const reports = await Promise.all(children.map((child) => child.request({ type: 'report' }, 'report')));
    const gatewayLoopMs = await loopDelayMs();
    const perViewer = reports.flatMap((r) => r.received).map((lines) => lines / seconds);
    perViewer.sort((a, b) => a - b);
    const histogram = new Array<number>(HISTOGRAM_MS).fill(0);
    for (const r of reports) r.histogram.forEach((n, ms) => (histogram[ms] = (histogram[ms] ?? 0) + n));
    const skipped = reports.reduce((sum, r) => sum + r.skipped, 0);
    const viewers = reports.reduce((sum, r) => sum + r.received.length, 0);
    // Every viewer of a server hears of its throttled lines: per viewer, on average.
    const throttled = reports.reduce((sum, r) => sum + r.throttled, 0) / Math.max(1, viewers);
    const printedPerServer = emitted.lines / scenario.servers.length;
    const leastReceived = Math.min(...reports.flatMap((r) => r.received));

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
      { name: 'lines dropped by the console throttle, per viewer (told)', value: throttled, unit: 'lines' },
      { name: 'lines skipped for viewers that fell behind (told, all)', value: skipped, unit: 'lines' },
      { name: 'lines a viewer did not get (worst viewer)', value: printedPerServer - leastReceived, unit: 'lines' },
      { name: 'line latency p50 (written → viewer)', value: histogramPercentile(histogram, 50), unit: 'ms' },
      {
        name: 'line latency p99 (written → viewer)',
        value: histogramPercentile(histogram, 99),
        unit: 'ms',
        target: { max: 250 },
      },
      { name: 'event-loop delay p99: gateway', value: gatewayLoopMs, unit: 'ms' },
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

if (process.argv[2] === '--viewers-child') await runViewersChild();
