// The console, first without the gateway's sockets. The simulator (a child process) prints numbered, time-stamped
// lines; the console service (a child process) follows them; this process plays the gateways (one NATS
// connection each, fanning every frame out to in-memory viewers) and the servers service (`servers.access`).
// Two scenarios: one server printing --lines-per-second to --viewers viewers, and --servers servers with one
// viewer each. Then command round trips: through the console (persistent RCON), straight to RCON (the
// server's own share), `rcon-cli` through exec (the seed design), and through the real gateway's socket. Last,
// the same scenarios through the real gateway to socket.io viewers (`console-gateway.ts`: lean clients that
// acknowledge every frame, so a viewer that falls behind is skipped and told).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CoreV1Api, Exec, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import {
  type Actor,
  type ConsoleFrame,
  consoleFrameBatchSchema,
  consoleFramesSubject,
  type RpcPayload,
  type RpcResponse,
} from '@blockplane/contracts';
import { type KubeSim, startKubeSim } from '@blockplane/kube-sim';
import { decodeRconPackets, encodeRconPacket } from '@blockplane/rcon';
import { NatsConnection, RpcClient, RpcResponder } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { freePort, spawnService, testEnv, uniqueNamespace, waitFor } from '@blockplane/testing';
import { type GatewayScenario, runGatewayScenario, socketCommandRoundTrips } from './console-gateway.js';
import { cpuSeconds, inParallel, percentile, report, type Result, roundTripFigures, scrapeMetrics } from './measure.js';

const NAMESPACE = 'bench-console';
const RCON_PASSWORD = 'bench-rcon';
const TICK_MS = 10;
const CREATE_CONCURRENCY = 32;
/** Servers per scenario also followed straight from the simulator, as a baseline. */
const DIRECT_FOLLOWS = 10;
const logger = createLogger('bench-console', { level: 'silent' });

type ToChild =
  { type: 'emit'; pods: string[]; perPodPerSecond: number; seconds: number } | { type: 'streams' } | { type: 'stop' };
type FromChild =
  | { type: 'started'; url: string; kubeconfig: string; rconPort: number }
  | { type: 'emitted'; lines: number; openLogStreams: number; loopDelayP99Ms: number }
  | { type: 'streams'; open: number };

// ── The simulator's process: it prints the lines, timestamped at the moment they are written ───────────

async function runSimChild(): Promise<void> {
  const rconPort = await freePort();
  const sim = await startKubeSim({ startDelayMs: [0, 0], gamePort: await freePort(), rconPort });
  const reply = (message: FromChild) => process.send?.(message);
  process.on('message', (message: ToChild) => {
    if (message.type === 'emit') void emit(sim, message).then(reply);
    else if (message.type === 'streams') reply({ type: 'streams', open: sim.control.countStreams('log') });
    else void sim.stop().then(() => process.exit(0));
  });
  reply({ type: 'started', url: sim.url, kubeconfig: sim.kubeconfig, rconPort });
}

/** Every pod prints `perPodPerSecond` lines a second for `seconds`: "bench <pod> <n> <written at, ms>". */
async function emit(sim: KubeSim, { pods, perPodPerSecond, seconds }: Extract<ToChild, { type: 'emit' }>) {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = performance.now();
  const total = Math.round(perPodPerSecond * seconds);
  // Each pod at its own phase of the line period, as independent servers print: in lockstep, every line of
  // the fleet would wait for the whole fleet's burst at each hop.
  const written = pods.map(() => 0);
  let openLogStreams = 0;
  while (written.some((n) => n < total)) {
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    const lines = ((performance.now() - started) / 1000) * perPodPerSecond;
    pods.forEach((pod, index) => {
      const from = written[index] ?? 0;
      const due = Math.min(total, Math.floor(lines + index / pods.length));
      if (due <= from) return;
      // Stamped pod by pod: a thousand writes take a while, and a line's latency starts when it is written.
      const at = (performance.timeOrigin + performance.now()).toFixed(1);
      sim.control.writeLog(
        NAMESPACE,
        pod,
        Array.from({ length: due - from }, (_, i) => `bench ${index} ${from + i} ${at}`),
      );
      written[index] = due;
    });
    if (performance.now() - started > (seconds * 1000) / 2 && openLogStreams === 0)
      openLogStreams = sim.control.countStreams('log', NAMESPACE);
  }
  loop.disable();
  const loopDelayP99Ms = loop.percentile(99) / 1e6;
  return { type: 'emitted' as const, lines: total * pods.length, openLogStreams, loopDelayP99Ms };
}

// ── This process: the gateways and the servers service ──────────────────────────────────────────────

interface SimChild {
  url: string;
  kubeconfig: string;
  rconPort: number;
  pid: number;
  request<T extends FromChild['type']>(message: ToChild, answer: T): Promise<Extract<FromChild, { type: T }>>;
  stop(): Promise<void>;
}

async function startSimChild(): Promise<SimChild> {
  const child = fork(fileURLToPath(import.meta.url), ['--sim-child']);
  const next = async <T extends FromChild['type']>(type: T) => {
    for (;;) {
      const [message] = (await once(child, 'message')) as [FromChild];
      if (message.type === type) return message as Extract<FromChild, { type: T }>;
    }
  };
  const started = await next('started');
  return {
    ...started,
    pid: child.pid ?? 0,
    request: (message, answer) => {
      const reply = next(answer);
      child.send(message);
      return reply;
    },
    async stop() {
      const exited = once(child, 'exit');
      child.send({ type: 'stop' } satisfies ToChild);
      await exited;
    },
  };
}

/** A gateway replica: one NATS connection, the servers it holds leases on, and its viewers of each. */
class Gateway {
  received = 0;
  /** Lines the console said it did not show (its flood notices). */
  throttled = 0;
  readonly latencies: number[] = [];
  private readonly viewers = new Map<string, number[]>();
  private renewal: NodeJS.Timeout | undefined;

  private constructor(
    readonly id: string,
    private readonly nats: NatsConnection,
    private readonly rpc: RpcClient,
  ) {
    // Subscribed before any lease is taken (the order a gateway must keep, to miss nothing).
    nats.connection.subscribe(nats.liveSubject(consoleFramesSubject(id)), {
      callback: (_error, message) => {
        for (const frame of consoleFrameBatchSchema.parse(message.json())) this.take(frame);
      },
    });
  }

  static async open(id: string, namespace: string): Promise<Gateway> {
    const nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace }, id, logger);
    return new Gateway(id, nats, new RpcClient(nats));
  }

  async hold(serverId: string, viewers: number): Promise<void> {
    this.viewers.set(
      serverId,
      Array.from({ length: viewers }, () => 0),
    );
    await this.rpc.request('console.attach', { holder: this.id, serverId, lines: 0 }, 30_000);
  }

  /** A frame as a gateway gets it: its lines counted for each of the server's viewers. */
  private take(frame: ConsoleFrame): void {
    const counts = this.viewers.get(frame.serverId);
    if (frame.type !== 'output' || !counts) return;
    const now = performance.timeOrigin + performance.now();
    for (const line of frame.lines) {
      if (line.kind === 'notice') this.throttled += Number(/^── (\d+) lines not shown/.exec(line.text)?.[1] ?? 0);
      const sent = line.text.startsWith('bench ') ? Number(line.text.slice(line.text.lastIndexOf(' ') + 1)) : NaN;
      if (Number.isNaN(sent)) continue;
      this.received += 1;
      this.latencies.push(now - sent);
    }
    // Standing in for the socket writes: every viewer of the server gets the frame.
    for (let v = 0; v < counts.length; v++) counts[v] = (counts[v] ?? 0) + frame.lines.length;
  }

  renewEvery(ms: number): void {
    this.renewal = setInterval(() => {
      const serverIds = [...this.viewers.keys()];
      this.rpc.request('console.renew', { holder: this.id, serverIds }).catch(() => undefined);
    }, ms);
  }

  reset(): void {
    this.received = 0;
    this.throttled = 0;
    this.latencies.length = 0;
  }

  async close(): Promise<void> {
    clearInterval(this.renewal);
    await Promise.all(
      [...this.viewers.keys()].map((serverId) =>
        this.rpc.request('console.detach', { holder: this.id, serverId }).catch(() => undefined),
      ),
    );
    await this.nats.close();
  }
}

/**
 * Follows a pod's log straight from the simulator, as the console does but with nothing after it: the
 * latency the simulator and the machine add on their own. Answers the latencies seen and a stop function.
 */
function followDirectly(simUrl: string, pod: string): { latencies: number[]; stop(): void } {
  const latencies: number[] = [];
  const abort = new AbortController();
  const read = async () => {
    const res = await fetch(`${simUrl}/api/v1/namespaces/${NAMESPACE}/pods/${pod}/log?follow=true&tailLines=0`, {
      signal: abort.signal,
    });
    const decoder = new TextDecoder();
    let rest = '';
    for await (const chunk of res.body ?? []) {
      const now = performance.timeOrigin + performance.now();
      const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines)
        if (line.startsWith('bench ')) latencies.push(now - Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
  };
  read().catch(() => undefined);
  return { latencies, stop: () => abort.abort() };
}

/** Up to DIRECT_FOLLOWS servers, spread over the list. */
function sampleOf(servers: string[]): string[] {
  const step = Math.max(1, Math.floor(servers.length / DIRECT_FOLLOWS));
  return servers.filter((_, i) => i % step === 0).slice(0, DIRECT_FOLLOWS);
}

function gamePod(serverId: string): V1Pod {
  return {
    metadata: {
      name: `mc-${serverId}-0`,
      labels: { 'app.kubernetes.io/managed-by': 'blockplane', 'blockplane.dev/server-id': serverId },
    },
    spec: {
      containers: [
        {
          name: 'minecraft',
          image: 'itzg/minecraft-server:latest',
          env: [
            { name: 'EULA', value: 'TRUE' },
            { name: 'ENABLE_RCON', value: 'true' },
            { name: 'RCON_PASSWORD', valueFrom: { secretKeyRef: { name: `mc-${serverId}`, key: 'rcon-password' } } },
          ],
          ports: [{ name: 'rcon', containerPort: 25575 }],
          // The provisioner's probe, every 5 s: at 1 s, a fleet's probes alone took the simulator a fifth of a core.
          readinessProbe: { tcpSocket: { port: 25565 }, periodSeconds: 5, failureThreshold: 3 },
        },
      ],
    },
  };
}

/** `count` game servers as the provisioner makes them; resolves with their ids once all are Ready. */
async function createServers(core: CoreV1Api, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  await inParallel(ids, CREATE_CONCURRENCY, async (serverId) => {
    const secret = { metadata: { name: `mc-${serverId}` }, stringData: { 'rcon-password': RCON_PASSWORD } };
    await core.createNamespacedSecret({ namespace: NAMESPACE, body: secret });
    await core.createNamespacedPod({ namespace: NAMESPACE, body: gamePod(serverId) });
  });
  const wanted = new Set(ids.map((id) => `mc-${id}-0`));
  await waitFor(
    `${count} Ready game servers`,
    async () => {
      const pods = await core.listNamespacedPod({ namespace: NAMESPACE });
      const ready = pods.items.filter(
        (p) =>
          wanted.has(p.metadata?.name ?? '') &&
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === count;
    },
    { timeoutMs: 120_000, intervalMs: 1_000 },
  );
  return ids;
}

interface Scenario {
  title: string;
  servers: string[];
  viewersPerServer: number;
  perServerPerSecond: number;
}

async function runScenario(
  scenario: Scenario,
  context: { sim: SimChild; gateways: Gateway[]; consolePid: number; consoleUrl: string; seconds: number },
): Promise<Result[]> {
  const { sim, gateways, consolePid, seconds } = context;
  const { servers, viewersPerServer, perServerPerSecond } = scenario;
  // Every gateway holds a share of the servers, with a share of each one's viewers.
  await inParallel(servers, 64, async (serverId, index) => {
    if (servers.length === 1) {
      await Promise.all(gateways.map((g) => g.hold(serverId, Math.ceil(viewersPerServer / gateways.length))));
    } else await gateways[index % gateways.length]?.hold(serverId, viewersPerServer);
  });
  // A few servers are also followed straight from the simulator, for the latency it adds on its own.
  const direct = sampleOf(servers).map((id) => followDirectly(sim.url, `mc-${id}-0`));
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // tails read, follows open
  for (const gateway of gateways) gateway.reset();
  await scrapeMetrics(context.consoleUrl); // resets the console's event-loop delay histogram
  const ownLoop = monitorEventLoopDelay({ resolution: 5 });
  ownLoop.enable();
  const [consoleCpu, simCpu, ownCpu, wall] = [
    cpuSeconds(consolePid),
    cpuSeconds(sim.pid),
    process.cpuUsage(),
    performance.now(),
  ];
  const emitted = await sim.request(
    { type: 'emit', pods: servers.map((id) => `mc-${id}-0`), perPodPerSecond: perServerPerSecond, seconds },
    'emitted',
  );
  // Each gateway gets its servers' lines, but for those the flood throttle dropped (and said so).
  const share = (g: number) => servers.filter((_, i) => servers.length === 1 || i % gateways.length === g).length;
  const expected = (g: number) => (share(g) / servers.length) * emitted.lines - (gateways[g]?.throttled ?? 0);
  await waitFor('every line at the gateways', () => gateways.every((gateway, g) => gateway.received >= expected(g)), {
    timeoutMs: 5_000,
  }).catch(() => undefined); // what did not arrive is reported as lost
  ownLoop.disable();
  for (const follow of direct) follow.stop();
  const directLatencies = direct.flatMap((follow) => follow.latencies);
  const metric = await scrapeMetrics(context.consoleUrl);
  const elapsed = (performance.now() - wall) / 1000;
  const own = process.cpuUsage(ownCpu);
  const latencies = gateways.flatMap((g) => g.latencies);
  const lost = Math.max(...gateways.map((g, i) => Math.max(0, expected(i) - g.received)));
  const dropped = Math.max(...gateways.map((g) => g.throttled));
  // A viewer gets every line of the one server it watches.
  const perViewer = Math.min(...gateways.map((g, i) => g.received / share(i) / seconds));
  const gauge = metric('panel_console_upstream_streams');
  const consoleLoopP99 = metric('nodejs_eventloop_lag_p99_seconds') * 1000;
  const percent = (cpu: number) => (cpu / elapsed) * 100;
  console.log(
    `\n${scenario.title} (${emitted.lines} lines in ${seconds} s; load ${readFileSync('/proc/loadavg', 'utf8').trim()})`,
  );
  return [
    { name: 'lines printed per second (all servers)', value: emitted.lines / seconds, unit: 'lines/s' },
    { name: 'delivered lines/s per viewer (slowest gateway)', value: perViewer, unit: 'lines/s' },
    { name: 'lines dropped by the flood throttle (with a notice)', value: dropped, unit: 'lines' },
    { name: 'lines lost otherwise (worst gateway)', value: lost, unit: 'lines', target: { max: 0 } },
    { name: 'line latency p50 (written → gateway)', value: percentile(latencies, 50), unit: 'ms' },
    {
      name: 'line latency p99 (written → gateway)',
      value: percentile(latencies, 99),
      unit: 'ms',
      target: { max: 250 },
    },
    {
      name: `  the simulator alone (${direct.length} direct follows): p50`,
      value: percentile(directLatencies, 50),
      unit: 'ms',
    },
    {
      name: `  the simulator alone (${direct.length} direct follows): p99`,
      value: percentile(directLatencies, 99),
      unit: 'ms',
    },
    { name: 'console CPU', value: percent(cpuSeconds(consolePid) - consoleCpu), unit: '% of a core' },
    {
      name: 'console CPU per 1,000 lines',
      value: ((cpuSeconds(consolePid) - consoleCpu) * 1e6) / emitted.lines,
      unit: 'ms',
    },
    {
      name: 'gateway stand-ins CPU (this process, all gateways)',
      value: percent((own.user + own.system) / 1e6),
      unit: '% of a core',
    },
    {
      name: 'simulator CPU (printing and serving the logs)',
      value: percent(cpuSeconds(sim.pid) - simCpu),
      unit: '% of a core',
    },
    { name: 'event-loop delay p99: console', value: consoleLoopP99, unit: 'ms' },
    { name: 'event-loop delay p99: gateway stand-ins', value: ownLoop.percentile(99) / 1e6, unit: 'ms' },
    { name: 'event-loop delay p99: simulator', value: emitted.loopDelayP99Ms, unit: 'ms' },
    {
      name: `upstream log streams (simulator, less the direct ones; watched: ${servers.length})`,
      value: emitted.openLogStreams - direct.length,
      unit: 'streams',
    },
    { name: 'upstream log streams (console gauge)', value: gauge, unit: 'streams' },
  ];
}

/** A bare RCON session to the server: what a command costs without the panel. */
async function directRcon(host: string, port: number) {
  const socket = connect({ host, port, noDelay: true });
  await once(socket, 'connect');
  let buffered: Buffer = Buffer.alloc(0);
  let waiter: ((id: number) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    const { packets, rest } = decodeRconPackets(Buffer.concat([buffered, chunk]), 1 << 20);
    buffered = rest;
    for (const packet of packets) waiter?.(packet.id);
  });
  const exchange = (id: number, type: number, body: string, until: number) =>
    new Promise<void>((resolve) => {
      waiter = (seen) => seen === until && resolve();
      socket.write(encodeRconPacket({ id, type, body }));
      if (until !== id) socket.write(encodeRconPacket({ id: until, type: 0, body: '' }));
    });
  await exchange(1, 3, RCON_PASSWORD, 1);
  let id = 10;
  return {
    run: (command: string) => exchange((id += 2), 2, command, id + 1),
    close: () => socket.destroy(),
  };
}

async function execRconCli(exec: Exec, pod: string, command: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    exec
      .exec(NAMESPACE, pod, 'minecraft', ['rcon-cli', command], sink, sink, null, false, (status) =>
        status.status === 'Success' ? resolve() : reject(new Error(status.message)),
      )
      .catch(reject);
  });
}

async function timed(samples: number, task: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  return times;
}

async function commandRoundTrips(
  rpc: RpcClient,
  core: CoreV1Api,
  kc: KubeConfig,
  serverId: string,
  rconPort: number,
  samples: { rcon: number; exec: number },
): Promise<Result[]> {
  const pod = await core.readNamespacedPod({ name: `mc-${serverId}-0`, namespace: NAMESPACE });
  const direct = await directRcon(pod.status?.podIP ?? '', rconPort);
  // In pairs, one through the console and one straight to the server, so both see the same moment's load.
  // A new user every 10 commands: the rate limit (burst 10) is not what this measures.
  let actor: Actor = { userId: crypto.randomUUID(), role: 'user' };
  const viaConsole: number[] = [];
  const server: number[] = [];
  for (let i = 0; i < samples.rcon; i++) {
    if (i % 10 === 0) actor = { userId: crypto.randomUUID(), role: 'user' };
    viaConsole.push(
      ...(await timed(1, () =>
        rpc.request('console.command', { actor, source: '127.0.0.1', serverId, command: 'seed' }),
      )),
    );
    server.push(...(await timed(1, () => direct.run('seed'))));
  }
  direct.close();
  const exec = new Exec(kc);
  const viaExec = await timed(samples.exec, () => execRconCli(exec, `mc-${serverId}-0`, 'seed'));
  console.log(`\nCommand round trips (load ${readFileSync('/proc/loadavg', 'utf8').trim()})`);
  return [
    ...roundTripFigures('console.command over NATS, persistent RCON', viaConsole, server),
    { name: 'rcon-cli through pods/exec (seed design): p50', value: percentile(viaExec, 50), unit: 'ms' },
    { name: 'rcon-cli through pods/exec (seed design): p99', value: percentile(viaExec, 99), unit: 'ms' },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      'lines-per-second': { type: 'string', default: '20000' },
      // The target: no line lost up to this rate per server.
      'lossless-lines-per-second': { type: 'string', default: '2000' },
      viewers: { type: 'string', default: '1000' },
      servers: { type: 'string', default: '1000' },
      'fleet-lines-per-second': { type: 'string', default: '20' },
      gateways: { type: 'string', default: '4' },
      commands: { type: 'string', default: '300' },
      'exec-commands': { type: 'string', default: '30' },
      // The gateway leg's socket.io viewers run in this many processes.
      'viewer-processes': { type: 'string', default: '2' },
      // Whether they acknowledge frames (`seen`); false: as clients older than it, judged by their transport.
      acknowledge: { type: 'string', default: 'true' },
      // The gateway's CONSOLE_VIEWER_MAX_LAG_MS (unset: its default).
      'viewer-max-lag-ms': { type: 'string' },
      // Some of the scenarios only, comma-separated (default all): nats, commands, socket, fleet-nats, fleet-socket.
      only: { type: 'string', default: 'nats,commands,socket,fleet-nats,fleet-socket' },
    },
  });
  const only = new Set(values.only.split(','));
  const number = (name: keyof typeof values) => Number(values[name]);
  const seconds = number('seconds');

  const sim = await startSimChild();
  const dir = mkdtempSync(join(tmpdir(), 'bench-console-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, sim.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });

  const natsNamespace = uniqueNamespace('bench');
  const consoleService = await spawnService('console', {
    KUBECONFIG: kubeconfigPath,
    GAME_NAMESPACE: NAMESPACE,
    RCON_PORT: String(sim.rconPort),
    NATS_NAMESPACE: natsNamespace,
    LOG_LEVEL: 'warn',
    ...(process.env['CONSOLE_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['CONSOLE_NODE_OPTIONS'] } : {}),
  });
  const nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace: natsNamespace }, 'bench', logger);
  const rpc = new RpcClient(nats);
  // The servers service's part: every caller may command every server.
  const access = new RpcResponder(
    nats,
    `${natsNamespace}.servers`,
    {
      subject: 'servers.access',
      handle: async (request): Promise<RpcResponse<'servers.access'>> => {
        const { actor, serverId } = request as RpcPayload<'servers.access'>;
        return { serverId, ownerId: actor.userId, kind: 'owner', permissions: ['control.console', 'control.command'] };
      },
    },
    logger,
  );
  access.start();
  // Its status of every server (the console asks once per stream it opens).
  const status = new RpcResponder(
    nats,
    `${natsNamespace}.servers`,
    {
      subject: 'servers.status',
      handle: async (): Promise<RpcResponse<'servers.status'>> => ({
        status: 'running',
        reason: null,
        at: new Date().toISOString(),
      }),
    },
    logger,
  );
  status.start();
  const consolePid = consoleService.child.pid ?? 0;
  const gatewayCount = number('gateways');
  /** Gateways hold the servers' leases for one scenario, then let go (the streams close). */
  const watch = async (title: string, servers: string[], viewersPerServer: number, perServerPerSecond: number) => {
    const gateways = await Promise.all(
      Array.from({ length: gatewayCount }, (_, i) => Gateway.open(`bench-gw-${i}`, natsNamespace)),
    );
    gateways.forEach((g) => g.renewEvery(5_000));
    try {
      const context = { sim, gateways, consolePid, consoleUrl: consoleService.url, seconds };
      return report(await runScenario({ title, servers, viewersPerServer, perServerPerSecond }, context));
    } finally {
      await Promise.all(gateways.map((g) => g.close()));
    }
  };
  let ok = true;
  try {
    const [busy] = await createServers(core, 1);
    if (!busy) throw new Error('no server');
    const viewers = number('viewers');
    for (const rate of only.has('nats') ? [number('lines-per-second'), number('lossless-lines-per-second')] : []) {
      const title = `1 server printing ${rate} lines/s, ${viewers} viewers on ${gatewayCount} gateways`;
      ok = (await watch(title, [busy], viewers, rate)) && ok;
    }
    if (only.has('commands')) {
      const samples = { rcon: number('commands'), exec: number('exec-commands') };
      ok = report(await commandRoundTrips(rpc, core, kc, busy, sim.rconPort, samples)) && ok;
      // The whole panel's share: the same through the real gateway's socket.
      const pod = await core.readNamespacedPod({ name: `mc-${busy}-0`, namespace: NAMESPACE });
      const direct = await directRcon(pod.status?.podIP ?? '', sim.rconPort);
      try {
        ok = report(await socketCommandRoundTrips({ nats }, busy, samples.rcon, () => direct.run('seed'))) && ok;
      } finally {
        direct.close();
      }
    }

    // The same through the real gateway's socket: one gateway process, socket.io viewers in processes of their own.
    const viewersAcknowledge = values.acknowledge === 'false' ? ' (not acknowledging)' : ' (acknowledging)';
    const throughGateway = (scenario: GatewayScenario) =>
      runGatewayScenario(scenario, {
        nats,
        consolePid,
        simPid: sim.pid,
        emit: async (pods, perPodPerSecond, s) =>
          sim.request({ type: 'emit', pods, perPodPerSecond, seconds: s }, 'emitted'),
        podOf: (serverId) => `mc-${serverId}-0`,
        followDirectly: (servers) => {
          const follows = sampleOf(servers).map((id) => followDirectly(sim.url, `mc-${id}-0`));
          return {
            latencies: () => follows.flatMap((follow) => follow.latencies),
            stop: () => follows.forEach((follow) => follow.stop()),
          };
        },
        seconds,
        viewerProcesses: number('viewer-processes'),
        acknowledge: values.acknowledge !== 'false',
        viewerMaxLagMs: values['viewer-max-lag-ms'],
      });
    for (const rate of only.has('socket') ? [number('lines-per-second'), number('lossless-lines-per-second')] : []) {
      const title = `1 server printing ${rate} lines/s, ${viewers} socket.io viewers${viewersAcknowledge}`;
      ok =
        report(await throughGateway({ title, servers: [busy], viewersPerServer: viewers, perServerPerSecond: rate })) &&
        ok;
    }

    // The fleet: created after the busy server's scenarios, so its emulated servers do not load those.
    const fleet =
      only.has('fleet-nats') || only.has('fleet-socket') ? await createServers(core, number('servers')) : [];
    const fleetRate = number('fleet-lines-per-second');
    if (only.has('fleet-nats')) {
      const title = `${fleet.length} servers printing ${fleetRate} lines/s each, 1 viewer each, on ${gatewayCount} gateways`;
      ok = (await watch(title, fleet, 1, fleetRate)) && ok;
    }
    if (only.has('fleet-socket')) {
      const title = `${fleet.length} servers printing ${fleetRate} lines/s each, 1 socket.io viewer each${viewersAcknowledge}`;
      ok =
        report(await throughGateway({ title, servers: fleet, viewersPerServer: 1, perServerPerSecond: fleetRate })) &&
        ok;
    }
  } finally {
    await status.stop();
    await access.stop();
    await nats.close();
    await consoleService.stop();
    await sim.stop();
  }
  process.exit(ok ? 0 : 1);
}

if (process.argv[2] === '--sim-child') await runSimChild();
else await main();
