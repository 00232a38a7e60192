import { connect, type NatsConnection as Connection } from '@nats-io/transport-node';
import type { NatsConfig } from '@blockplane/config';
import type { Logger } from '@blockplane/observability';

/**
 * The service's one NATS connection. It reconnects for ever: readiness, not a crash,
 * tells the platform that NATS is gone, and the service recovers without a restart.
 */
export class NatsConnection {
  private connected = true;

  private constructor(
    readonly connection: Connection,
    readonly namespace: string,
    private readonly logger: Logger,
  ) {
    void this.followStatus();
  }

  static async open(config: NatsConfig, name: string, logger: Logger): Promise<NatsConnection> {
    const connection = await connect({
      servers: config.url,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 2_000,
      maxPingOut: 2,
    });
    return new NatsConnection(connection, config.namespace, logger);
  }

  /** `server.requested` → `blockplane.events.server.requested` */
  eventSubject(subject: string): string {
    return `${this.namespace}.events.${subject}`;
  }

  rpcSubject(subject: string): string {
    return `${this.namespace}.rpc.${subject}`;
  }

  /** Core NATS, at most once, for live data a subscriber can ask for again (console frames): `<ns>.live.<subject>`. */
  liveSubject(subject: string): string {
    return `${this.namespace}.live.${subject}`;
  }

  /** Fails unless connected and the server answers a round trip. */
  async check(): Promise<void> {
    if (!this.connected || this.connection.isClosed()) throw new Error('NATS is not connected');
    await this.connection.flush();
  }

  async close(): Promise<void> {
    if (!this.connection.isClosed()) await this.connection.drain();
  }

  private async followStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      switch (status.type) {
        case 'disconnect':
          this.connected = false;
          this.logger.warn({ server: status.server }, 'NATS disconnected');
          break;
        case 'reconnect':
          this.connected = true;
          this.logger.info({ server: status.server }, 'NATS reconnected');
          break;
        case 'close':
          this.connected = false;
          break;
        default:
          break;
      }
    }
  }
}
