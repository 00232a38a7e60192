// The node's container runtime. Images are recognised by name: itzg/minecraft-server runs
// the simulated game server in-process; busybox/alpine/debian/ubuntu run a main process
// that just waits to be stopped (a file helper, entered through exec); anything else
// cannot be pulled. Output goes to a bounded per-container log buffer.
import { createHash, randomBytes } from 'node:crypto';
import { LogBuffer } from './log-buffer.js';

export type ImageKind = 'minecraft' | 'utility';

export interface ContainerExit {
  exitCode: number;
  reason: 'Completed' | 'Error' | 'OOMKilled';
  finishedAt: Date;
}

export interface StartOptions {
  image: string;
  env: Record<string, string>;
  dataDir: string;
  host: string; // the pod IP
  bootDelayMs: number;
}

/** Where the game servers listen instead of the itzg image's 25565/25575, so that simulators can run side by side. */
export interface GameServerPorts {
  gamePort?: number;
  rconPort?: number;
}

export interface Container {
  readonly id: string; // containerd://<64 hex>
  readonly startedAt: Date;
  readonly logs: LogBuffer;
  readonly exited: Promise<ContainerExit>;
  /** The environment a process started in the container sees (exec, exec probes). */
  readonly execEnv: Record<string, string>;
  /** Where a container port answers on the pod IP. */
  hostPort(containerPort: number): number;
  signal(sig: 'SIGTERM' | 'SIGKILL'): void;
  /** Fault injection: the process dies now, as a crash or an OOM kill. */
  crash(oomKill: boolean): void;
  addPlayer(player: string): void;
  removePlayer(player: string): void;
}

const utilityImages = new Set(['busybox', 'alpine', 'debian', 'ubuntu']);

/** The repository of an image reference without registry, `library/`, tag or digest. */
export function imageRepository(image: string): string {
  let name = image.replace(/@.*/s, '');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  // A first path component with a dot or a port, or `localhost`, is a registry host.
  return name.replace(/^(?:[^/]*[.:][^/]*|localhost)\//, '').replace(/^library\//, '');
}

export function imageKind(image: string): ImageKind | undefined {
  const repository = imageRepository(image);
  if (repository === 'itzg/minecraft-server') return 'minecraft';
  return utilityImages.has(repository) ? 'utility' : undefined;
}

/** A stable digest per image reference, shown as the container status' imageID. */
export function imageID(image: string): string {
  const digest = createHash('sha256').update(image).digest('hex');
  return `docker.io/${imageRepository(image).includes('/') ? '' : 'library/'}${imageRepository(image)}@sha256:${digest}`;
}

export function pullError(image: string): string {
  const repository = imageRepository(image);
  return `failed to pull and unpack image "${image}": failed to resolve reference "${image}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed (repository ${repository})`;
}

function newContainerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

function exitFor(exitCode: number, oomKilled: boolean): ContainerExit {
  const reason = oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
  return { exitCode: oomKilled ? 137 : exitCode, reason, finishedAt: new Date() };
}

export class ContainerRuntime {
  private readonly pulled = new Set<string>();

  constructor(private readonly ports: GameServerPorts = {}) {}

  /** Whether the image is on the node already (IfNotPresent pulls skip the registry). */
  isPresent(image: string): boolean {
    return this.pulled.has(image);
  }

  /** Resolves on success, rejects with the registry's message for unknown images. */
  pull(image: string): void {
    if (!imageKind(image)) throw new Error(pullError(image));
    this.pulled.add(image);
  }

  async start(opts: StartOptions): Promise<Container> {
    return imageKind(opts.image) === 'minecraft' ? startMinecraft(opts, this.ports) : startIdle(opts.env);
  }
}

/** A process that waits until it is stopped, like `sleep infinity` as PID 1. */
function startIdle(env: Record<string, string>): Container {
  const logs = new LogBuffer();
  let finish!: (exit: ContainerExit) => void;
  const exited = new Promise<ContainerExit>((resolve) => (finish = resolve));
  let done = false;
  const end = (exit: ContainerExit) => {
    if (done) return;
    done = true;
    logs.close();
    finish(exit);
  };
  return {
    id: newContainerId(),
    startedAt: new Date(),
    logs,
    exited,
    execEnv: env,
    hostPort: (port) => port,
    signal: (sig) => end(exitFor(sig === 'SIGTERM' ? 143 : 137, false)),
    crash: (oomKill) => end(exitFor(oomKill ? 137 : 1, oomKill)),
    addPlayer: () => {},
    removePlayer: () => {},
  };
}

async function startMinecraft(opts: StartOptions, ports: GameServerPorts): Promise<Container> {
  const { startGameServer } = await import('../minecraft/index.js');
  const logs = new LogBuffer();
  let oomKilled = false;
  // The image's ports inside the container, and where the emulated server really listens.
  const gamePort = Number(opts.env['SERVER_PORT']) || 25565;
  const rconPort = Number(opts.env['RCON_PORT']) || 25575;
  const moved = new Map<number, number>();
  if (ports.gamePort !== undefined) moved.set(gamePort, ports.gamePort);
  if (ports.rconPort !== undefined) moved.set(rconPort, ports.rconPort);
  const hostPort = (port: number) => moved.get(port) ?? port;
  const server = startGameServer({
    env: opts.env,
    dataDir: opts.dataDir,
    host: opts.host,
    ...ports,
    startDelayMs: opts.bootDelayMs,
    onOutput: (line) => logs.append(line),
  });
  const exited = server.exited.then((code) => {
    logs.close();
    return exitFor(code, oomKilled);
  });
  return {
    id: newContainerId(),
    startedAt: new Date(),
    logs,
    exited,
    // rcon-cli (and mc-health) find the server through these, as in the image.
    execEnv: { ...opts.env, RCON_HOST: opts.host, RCON_PORT: String(hostPort(rconPort)) },
    hostPort,
    signal: (sig) => server.signal(sig),
    crash: (oomKill) => {
      oomKilled = oomKill;
      server.signal('SIGKILL');
    },
    addPlayer: (player) => server.addPlayer(player),
    removePlayer: (player) => server.removePlayer(player),
  };
}
