import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainError } from '@blockplane/contracts';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config.js';
import { gameContainer, rconEndpoint } from '../kube/game-pod.js';
import { GamePods } from '../kube/game-pods.js';
import { KubeApi } from '../kube/kube-api.js';
import { RconConnection } from './rcon-connection.js';

/** An open connection and the container run it talks to, as a fresh read of the pod showed it. */
interface Opened {
  connection: RconConnection;
  containerId: string;
}

interface Session {
  opened: Promise<Opened>;
  lastUsed: number;
}

/** A session unused this long is closed (the server keeps a thread per RCON client). */
const IDLE_MS = 5 * 60_000;

/**
 * One persistent RCON session per running server, opened on first use (a command, or the players count
 * for stats) and replaced when the container changes or the connection fails. Faster than `rcon-cli`
 * through exec: no exec upgrade, process start or login per command (see bench/console).
 *
 * The pods cache can lag behind the cluster: just after a restart it may still show the old run while RCON
 * already answers from the new one. So which run a session talks to is what a fresh read of the pod shows
 * as it opens, and when the cache and the session disagree (or the connection failed) a fresh read
 * decides again, once for all the callers waiting: a stale cache costs a read, not another connection.
 */
@Injectable()
export class RconSessions implements OnModuleInit, BeforeApplicationShutdown {
  private readonly sessions = new Map<string, Session>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly pods: GamePods,
    private readonly kube: KubeApi,
  ) {}

  async run(serverId: string, command: string, timeoutMs = this.config.commands.timeoutMs): Promise<string> {
    const pod = this.pods.get(serverId);
    const container = pod && gameContainer(pod);
    const name = pod?.metadata?.name;
    if (!name || !container?.id || !container.running) throw notRunning();
    const connection = await this.session(serverId, name, container.id, timeoutMs);
    return connection.run(command, timeoutMs);
  }

  /** Ends the server's session, if any. */
  private forget(serverId: string): void {
    const session = this.sessions.get(serverId);
    this.sessions.delete(serverId);
    void session?.opened.then(({ connection }) => connection.close()).catch(() => undefined);
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      const idleSince = Date.now() - IDLE_MS;
      for (const [serverId, session] of this.sessions) if (session.lastUsed < idleSince) this.forget(serverId);
    }, IDLE_MS / 5);
    this.sweeper.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.sweeper);
    for (const serverId of [...this.sessions.keys()]) this.forget(serverId);
  }

  /** The connection to use for the run the cache shows (`cachedRun`). */
  private async session(serverId: string, pod: string, cachedRun: string, timeoutMs: number): Promise<RconConnection> {
    const current = this.sessions.get(serverId);
    if (!current) return this.open(serverId, pod, undefined, timeoutMs);
    current.lastUsed = Date.now();
    const opened = await current.opened;
    if (opened.containerId === cachedRun && !opened.connection.closed) return opened.connection;
    // Another caller already decided again: use what it decided.
    if (this.sessions.get(serverId) !== current) return this.session(serverId, pod, cachedRun, timeoutMs);
    return this.open(serverId, pod, opened, timeoutMs);
  }

  /** A session for what the pod runs now: `previous` itself if that is still its run and open. */
  private open(
    serverId: string,
    pod: string,
    previous: Opened | undefined,
    timeoutMs: number,
  ): Promise<RconConnection> {
    const opened = this.connect(pod, previous, timeoutMs);
    const session = { opened, lastUsed: Date.now() };
    this.sessions.set(serverId, session);
    // A failed open is not kept, nor the connection it was to replace: the next command tries again.
    opened.catch(() => {
      previous?.connection.close();
      if (this.sessions.get(serverId) === session) this.sessions.delete(serverId);
    });
    return opened.then(({ connection }) => connection);
  }

  private async connect(name: string, previous: Opened | undefined, timeoutMs: number): Promise<Opened> {
    const pod = await this.kube.readPod(name).catch(() => {
      throw new DomainError('UPSTREAM_UNAVAILABLE', "the server's pod could not be read: try again");
    });
    const container = gameContainer(pod);
    if (previous && previous.containerId === container?.id && container.running && !previous.connection.closed)
      return previous;
    previous?.connection.close();
    if (!container?.id || !container.running) throw notRunning();
    const endpoint = rconEndpoint(pod, this.config.rconPort);
    if (!endpoint) throw new DomainError('UPSTREAM_UNAVAILABLE', 'the server has no address yet: try again');
    if (!endpoint.password) throw new DomainError('CONFLICT', 'the server has no RCON password set up');
    const password =
      'value' in endpoint.password
        ? endpoint.password.value
        : await this.secret(endpoint.password.secret, endpoint.password.key);
    const connection = await RconConnection.open(endpoint.host, endpoint.port, password, timeoutMs);
    return { connection, containerId: container.id };
  }

  private async secret(name: string, key: string): Promise<string> {
    const secret = await this.kube.core.readNamespacedSecret({ name, namespace: this.kube.namespace }).catch(() => {
      throw new DomainError('UPSTREAM_UNAVAILABLE', "the server's RCON password could not be read");
    });
    const value = secret.data?.[key];
    if (value === undefined) throw new DomainError('CONFLICT', "the server's RCON password is not set");
    return Buffer.from(value, 'base64').toString('utf8');
  }
}

function notRunning(): DomainError {
  return new DomainError('CONFLICT', 'the server is not running');
}
