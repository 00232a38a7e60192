// One emulated itzg/minecraft-server container: the image's start script, then the
// server itself, answering Server List Ping and RCON through the shared listeners.
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { enqueueBoot } from './boot-queue.js';
import { isQuery, runCommand, type CommandServer, type Difficulty, type WorldState } from './console-commands.js';
import { formatServerLine, initLine, type LogEntry } from './console-format.js';
import {
  BIND_FAILURE,
  EULA_REFUSAL,
  imageHeaderLines,
  imageInitLines,
  imageLaunchLines,
  rconStartLines,
  serverBootPhases,
  shutdownLines,
} from './lifecycle-lines.js';
import { appendLogLine, flushLog } from './log-writer.js';
import { offlinePlayerUuid } from './offline-uuid.js';
import { serveRconConnection, type RconTarget } from './rcon-connection.js';
import { ConfigError, eulaAccepted, isTrue, readServerConfig, type ServerType } from './server-config.js';
import {
  eulaFileAccepted,
  loadPlayerList,
  prepareWorld,
  saveWorld,
  setupServerProperties,
  writeEula,
  writePlayerList,
  writeRconCliConfig,
  type PlayerEntry,
  type PlayerListFile,
} from './server-files.js';
import { formatProperties, parseProperties } from './server-properties.js';
import { routeConnections } from './shared-listener.js';
import { serveStatusConnection, type ServerStatus, type StatusProvider } from './status-ping.js';

export interface GameServerOptions {
  env: Record<string, string>;
  dataDir: string;
  host: string;
  gamePort?: number;
  rconPort?: number;
  startDelayMs?: number;
  onOutput(line: string, stream: 'stdout' | 'stderr'): void;
}

export interface GameServer {
  readonly ready: Promise<void>;
  readonly exited: Promise<number>;
  signal(sig: 'SIGTERM' | 'SIGKILL'): void;
  stdin(line: string): void;
  addPlayer(name: string): void;
  removePlayer(name: string): void;
  players(): string[];
}

type Phase = 'starting' | 'running' | 'stopping' | 'exited';

/** What the running server needs from server.properties (the map itself is not kept: memory). */
interface RunningSettings {
  type: ServerType;
  versionName: string;
  protocol: number;
  motd: string;
  maxPlayers: number;
  levelName: string;
  rconPassword: string | undefined;
  whitelist: boolean;
  secureChat: boolean;
  seed: bigint;
}

const BOOT_PHASE_COUNT = 5;

export class EmulatedGameServer implements GameServer, CommandServer, StatusProvider, RconTarget {
  readonly ready: Promise<void>;
  readonly exited: Promise<number>;
  readonly world: WorldState = { time: 0, weather: 'clear', difficulty: 'easy', gamerules: new Map() };
  readonly lists: Record<PlayerListFile, PlayerEntry[]> = {
    'ops.json': [],
    'whitelist.json': [],
    'banned-players.json': [],
  };

  private phase: Phase = 'starting';
  private settings: RunningSettings | undefined;
  private online: string[] = [];
  private nextEntityId = 100;
  private queuedInput: string[] | undefined;
  private sockets: Set<Socket> | undefined;
  private unroutes: Array<() => void> = [];
  private pendingWait: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  /** file writes run one after another so that two saves of a file never interleave */
  private io: Promise<void> = Promise.resolve();
  private readonly logPath: string;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private resolveExited!: (code: number) => void;

  constructor(private readonly opts: GameServerOptions) {
    this.logPath = join(opts.dataDir, 'logs', 'latest.log');
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined); // callers that never await ready must not crash the process
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    enqueueBoot(() => {
      if (this.phase !== 'starting') return; // killed before it got its turn
      void this.boot().catch((err: unknown) => {
        this.print(initLine(`ERROR: ${err instanceof Error ? err.message : String(err)}`), 'stderr');
        void this.exit(1);
      });
    });
  }

  signal(sig: 'SIGTERM' | 'SIGKILL'): void {
    if (sig === 'SIGKILL') void this.exit(137);
    else this.stop();
  }

  stdin(line: string): void {
    if (this.phase === 'starting') (this.queuedInput ??= []).push(line);
    else if (this.phase === 'running' && line.trim() !== '') this.runConsoleCommand(line);
  }

  addPlayer(name: string): void {
    const s = this.requireRunning();
    if (this.online.some((p) => p.toLowerCase() === name.toLowerCase())) return;
    const address = `/127.0.0.1:${40000 + this.nextEntityId}`;
    const refusal = this.joinRefusal(name, s);
    if (refusal) {
      this.log({ message: `Disconnecting ${name} (${address}): ${refusal}` });
      this.log({ message: `${name} (${address}) lost connection: ${refusal}` });
      return;
    }
    this.online.push(name);
    this.log({ message: `UUID of player ${name} is ${offlinePlayerUuid(name)}`, thread: 'User Authenticator #1' });
    this.log({ message: `${name}[${address}] logged in with entity id ${this.nextEntityId++} at (8.5, 64.0, 8.5)` });
    this.log({ message: `${name} joined the game` });
  }

  removePlayer(name: string): void {
    this.requireRunning();
    const online = this.online.find((p) => p.toLowerCase() === name.toLowerCase());
    if (online) this.disconnect(online, 'Disconnected');
  }

  players(): string[] {
    return [...this.online];
  }

  // --- CommandServer ---

  maxPlayers(): number {
    return this.settings?.maxPlayers ?? 20;
  }

  onlinePlayers(): string[] {
    return this.online;
  }

  seed(): bigint {
    return this.settings?.seed ?? 0n;
  }

  whitelistEnabled(): boolean {
    return this.settings?.whitelist ?? false;
  }

  setWhitelistEnabled(on: boolean): void {
    if (this.settings) this.settings.whitelist = on;
    this.enqueueIo(async () => {
      const path = join(this.opts.dataDir, 'server.properties');
      const props = parseProperties(await readFile(path, 'utf8').catch(() => ''));
      props.set('white-list', String(on));
      await writeFile(path, formatProperties(props, new Date()));
    });
  }

  persist(file: PlayerListFile): void {
    const entries = [...this.lists[file]];
    this.enqueueIo(() => writePlayerList(this.opts.dataDir, file, entries));
  }

  disconnect(name: string, reason: string): void {
    this.online = this.online.filter((p) => p !== name);
    this.log({ message: `${name} lost connection: ${reason}` });
    this.log({ message: `${name} left the game` });
  }

  broadcast(line: string): void {
    this.log({ message: line });
  }

  save(): void {
    const s = this.settings;
    if (!s) return;
    const time = this.world.time;
    this.enqueueIo(() => saveWorld(this.opts.dataDir, s.levelName, s.seed, time, new Date()));
  }

  stop(): void {
    if (this.phase !== 'starting' && this.phase !== 'running') return;
    this.phase = 'stopping';
    this.cancelWait();
    // after the current command's reply ("Stopping the server") has been printed
    queueMicrotask(() => {
      for (const entry of shutdownLines(this.settings?.levelName ?? 'world')) this.log(entry);
      for (const player of [...this.online]) this.disconnect(player, 'Server closed');
      this.save();
      void this.exit(0);
    });
  }

  // --- StatusProvider ---

  status(): ServerStatus {
    const s = this.settings;
    if (!s) throw new Error('the server has not started');
    return {
      version: { name: s.versionName, protocol: s.protocol },
      players: {
        online: this.online.length,
        max: s.maxPlayers,
        sample: this.online.slice(0, 12).map((name) => ({ name, id: offlinePlayerUuid(name) })),
      },
      description: { text: s.motd },
      enforcesSecureChat: s.secureChat,
    };
  }

  loginRefusal(): string {
    return 'This server is emulated by kube-sim and does not accept game clients';
  }

  // --- RconTarget ---

  rconPassword(): string | undefined {
    return this.phase === 'running' ? this.settings?.rconPassword : undefined;
  }

  runRconCommand(command: string): string {
    if (this.phase !== 'running') return '';
    const reply = runCommand(this, command, 'Rcon');
    if (!isQuery(command)) for (const message of reply) this.log({ message });
    return reply.join('');
  }

  rconClientEvent(event: 'started' | 'shutting down', remote: string): void {
    if (this.phase === 'running')
      this.log({ message: `Thread RCON Client /${remote} ${event}`, thread: 'RCON Client #1' });
  }

  // --- lifecycle ---

  private async boot(): Promise<void> {
    const { env, dataDir } = this.opts;
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    for (const line of imageHeaderLines(new Date())) this.print(initLine(line));
    if (!eulaFileAccepted(dataDir)) {
      if (!eulaAccepted(env)) {
        this.print(initLine(''));
        for (const line of EULA_REFUSAL) this.print(initLine(`ERROR: ${line}`), 'stderr');
        this.print(initLine(''));
        return this.exit(1);
      }
      writeEula(dataDir, new Date());
    }
    let config;
    try {
      config = readServerConfig(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const line of err.lines) this.print(initLine(`ERROR: ${line}`), 'stderr');
      return this.exit(1);
    }
    for (const line of imageInitLines(config)) this.print(initLine(line));
    const { props, changed } = setupServerProperties(dataDir, config, new Date());
    this.lists['ops.json'] = loadPlayerList(dataDir, 'ops.json', config.ops, { level: 4, bypassesPlayerLimit: false });
    this.lists['whitelist.json'] = loadPlayerList(dataDir, 'whitelist.json', config.whitelist, {});
    this.lists['banned-players.json'] = loadPlayerList(dataDir, 'banned-players.json', [], {});
    const rconEnabled = isTrue(props.get('enable-rcon'));
    const rconPassword = props.get('rcon.password') ?? '';
    if (rconEnabled) writeRconCliConfig(dataDir, rconPassword);
    for (const line of imageLaunchLines(config, changed)) this.print(initLine(line));
    const levelName = props.get('level-name') || 'world';
    const javaStart = Date.now();
    const seed = prepareWorld(dataDir, levelName, props.get('level-seed') ?? '', new Date());
    this.world.difficulty = (props.get('difficulty') as Difficulty | undefined) ?? 'easy';
    this.settings = {
      type: config.type,
      versionName:
        config.type === 'PAPER'
          ? `Paper ${config.version}`
          : config.type === 'SPIGOT'
            ? `Spigot ${config.version}`
            : config.version,
      protocol: config.protocol,
      motd: props.get('motd') ?? '',
      maxPlayers: Number(props.get('max-players')) || 20,
      levelName,
      rconPassword: rconEnabled ? rconPassword : undefined,
      whitelist: isTrue(props.get('white-list')),
      secureChat: isTrue(props.get('enforce-secure-profile')) && isTrue(props.get('online-mode')),
      seed,
    };

    const phases = serverBootPhases(config, props);
    const phaseDelay = (this.opts.startDelayMs ?? 0) / BOOT_PHASE_COUNT;
    for (const phase of phases) {
      if (phaseDelay > 0) await this.wait(phaseDelay);
      if (this.phase !== 'starting') return;
      for (const entry of phase) this.log(entry);
    }
    const gamePort = this.opts.gamePort ?? (Number(props.get('server-port')) || 25565);
    const rconPort = this.opts.rconPort ?? (Number(props.get('rcon.port')) || 25575);
    if (!(await this.listen(gamePort, (socket) => serveStatusConnection(socket, this)))) return;
    if (this.phase !== 'starting') return;
    this.log({ message: `Time elapsed: ${Date.now() - javaStart} ms` });
    this.log({ message: `Done (${((Date.now() - javaStart) / 1000).toFixed(3)}s)! For help, type "help"` });
    if (rconEnabled) {
      if (!(await this.listen(rconPort, (socket) => serveRconConnection(socket, this)))) return;
      for (const entry of rconStartLines(String(props.get('rcon.port')))) this.log(entry);
    }
    if (this.phase !== 'starting') return;
    this.phase = 'running';
    this.resolveReady();
    for (const line of this.queuedInput?.splice(0) ?? []) this.stdin(line);
    this.queuedInput = undefined;
  }

  /** Routes host:port to this server; false (and exit 1) when the address is taken. */
  private async listen(port: number, serve: (socket: Socket) => void): Promise<boolean> {
    try {
      const unroute = await routeConnections(port, this.opts.host, (socket) => {
        (this.sockets ??= new Set()).add(socket);
        socket.once('close', () => this.sockets?.delete(socket));
        serve(socket);
      });
      if (this.phase === 'exited') unroute();
      else this.unroutes.push(unroute);
      return true;
    } catch {
      for (const entry of BIND_FAILURE) this.log(entry);
      await this.exit(1);
      return false;
    }
  }

  private joinRefusal(name: string, s: RunningSettings): string | undefined {
    const lower = name.toLowerCase();
    if (this.lists['banned-players.json'].some((e) => e.name.toLowerCase() === lower))
      return 'You are banned from this server.';
    if (s.whitelist && !this.lists['whitelist.json'].some((e) => e.name.toLowerCase() === lower))
      return 'You are not white-listed on this server!';
    if (this.online.length >= s.maxPlayers) return 'The server is full!';
    return undefined;
  }

  private runConsoleCommand(line: string): void {
    for (const message of runCommand(this, line, 'Server')) this.log({ message });
  }

  private requireRunning(): RunningSettings {
    if (this.phase !== 'running' || !this.settings) throw new Error(`the server is not running (${this.phase})`);
    return this.settings;
  }

  private async exit(code: number): Promise<void> {
    if (this.phase === 'exited') return;
    const graceful = code !== 137;
    this.phase = 'exited';
    this.cancelWait();
    for (const unroute of this.unroutes.splice(0)) unroute();
    for (const socket of this.sockets ?? []) {
      if (graceful) socket.end();
      else socket.destroy();
    }
    this.sockets = undefined;
    this.online = [];
    this.rejectReady(new Error(`the server exited with code ${code} before it was ready`));
    await this.io;
    await flushLog(this.logPath);
    this.resolveExited(code);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.pendingWait = { timer: setTimeout(resolve, ms), resolve };
    });
  }

  private cancelWait(): void {
    if (!this.pendingWait) return;
    clearTimeout(this.pendingWait.timer);
    this.pendingWait.resolve();
    this.pendingWait = undefined;
  }

  private enqueueIo(task: () => Promise<void>): void {
    this.io = this.io.then(task).catch(() => undefined);
  }

  private log(entry: LogEntry): void {
    this.print(
      formatServerLine(this.settings?.type ?? 'VANILLA', entry, new Date()),
      entry.level === 'ERROR' ? 'stderr' : 'stdout',
    );
  }

  private print(line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.opts.onOutput(line, stream);
    appendLogLine(this.logPath, line);
  }
}

export function startGameServer(opts: GameServerOptions): GameServer {
  return new EmulatedGameServer(opts);
}
