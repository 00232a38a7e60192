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
  gamePort?: number;
  bootDelayMs: number;
}

export interface Container {
  readonly id: string; // containerd://<64 hex>
  readonly startedAt: Date;
  readonly logs: LogBuffer;
  readonly exited: Promise<ContainerExit>;
  signal(sig: 'SIGTERM' | 'SIGKILL'): void;
  /** Fault injection: the process dies now, as a crash or an OOM kill. */
  crash(oomKill: boolean): void;
  addPlayer(player: string): void;
  removePlayer(player: string): void;
}

const utilityImages = new Set(['busybox', 'alpine', 'debian', 'ubuntu']);

/** The repository of an image reference without registry, `library/`, tag or digest. */
export function imageRepository(image: string): string {
  let name = image.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  const parts = name.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  if (parts[0] === 'library') parts.shift();
  return parts.join('/');
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
    return imageKind(opts.image) === 'minecraft' ? startMinecraft(opts) : startIdle();
  }
}

/** A process that waits until it is stopped, like `sleep infinity` as PID 1. */
function startIdle(): Container {
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
    signal: (sig) => end(exitFor(sig === 'SIGTERM' ? 143 : 137, false)),
    crash: (oomKill) => end(exitFor(oomKill ? 137 : 1, oomKill)),
    addPlayer: () => {},
    removePlayer: () => {},
  };
}

async function startMinecraft(opts: StartOptions): Promise<Container> {
  const { startGameServer } = await import('../minecraft/index.js');
  const logs = new LogBuffer();
  let oomKilled = false;
  const server = startGameServer({
    env: opts.env,
    dataDir: opts.dataDir,
    host: opts.host,
    ...(opts.gamePort !== undefined ? { gamePort: opts.gamePort } : {}),
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
    signal: (sig) => server.signal(sig),
    crash: (oomKill) => {
      oomKilled = oomKill;
      server.signal('SIGKILL');
    },
    addPlayer: (player) => server.addPlayer(player),
    removePlayer: (player) => server.removePlayer(player),
  };
}
