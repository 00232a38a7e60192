import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { V1Pod } from '@kubernetes/client-node';
import { DomainError } from '@blockplane/contracts';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config.js';
import { gameContainer, rconEndpoint } from '../kube/game-pod.js';
import { GamePods } from '../kube/game-pods.js';
import { KubeApi } from '../kube/kube-api.js';
import { RconConnection } from './rcon-connection.js';

interface Session {
  /** The container run the session talks to: a restart or a new pod means a new session. */
  containerId: string;
  connection: Promise<RconConnection>;
  lastUsed: number;
}

/** A session unused this long is closed (the server keeps a thread per RCON client). */
const IDLE_MS = 5 * 60_000;

/**
 * One persistent RCON session per running server, opened on first use (a command, or the players count
 * for stats) and replaced when the container changes or the connection fails. Faster than `rcon-cli`
 * through exec: no exec upgrade, process start or login per command (see bench/console).
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
    if (!pod || !container?.id || !container.running) throw new DomainError('CONFLICT', 'the server is not running');
    const connection = await this.session(serverId, pod, container.id, timeoutMs);
    return connection.run(command, timeoutMs);
  }

  /** Ends the server's session, if any (its stream closed, or the pod went away). */
  forget(serverId: string): void {
    const session = this.sessions.get(serverId);
    this.sessions.delete(serverId);
    void session?.connection.then((connection) => connection.close()).catch(() => undefined);
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

  private session(serverId: string, pod: V1Pod, containerId: string, timeoutMs: number): Promise<RconConnection> {
    const current = this.sessions.get(serverId);
    if (current?.containerId === containerId) {
      current.lastUsed = Date.now();
      const reusable = current.connection.then((connection) => (connection.closed ? undefined : connection));
      return reusable.then((connection) => connection ?? this.open(serverId, pod, containerId, timeoutMs));
    }
    if (current) this.forget(serverId);
    return this.open(serverId, pod, containerId, timeoutMs);
  }

  private open(serverId: string, pod: V1Pod, containerId: string, timeoutMs: number): Promise<RconConnection> {
    const connection = this.connect(pod, timeoutMs);
    const session = { containerId, connection, lastUsed: Date.now() };
    this.sessions.set(serverId, session);
    // A failed open is not kept: the next command tries again.
    connection.catch(() => {
      if (this.sessions.get(serverId) === session) this.sessions.delete(serverId);
    });
    return connection;
  }

  private async connect(pod: V1Pod, timeoutMs: number): Promise<RconConnection> {
    const endpoint = rconEndpoint(pod, this.config.rconPort);
    if (!endpoint) throw new DomainError('UPSTREAM_UNAVAILABLE', 'the server has no address yet: try again');
    if (!endpoint.password) throw new DomainError('CONFLICT', 'the server has no RCON password set up');
    const password =
      'value' in endpoint.password
        ? endpoint.password.value
        : await this.secret(endpoint.password.secret, endpoint.password.key);
    return RconConnection.open(endpoint.host, endpoint.port, password, timeoutMs);
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
