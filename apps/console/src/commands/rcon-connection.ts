import { connect, type Socket } from 'node:net';
import { DomainError } from '@blockplane/contracts';
import {
  decodeRconPackets,
  encodeRconPacket,
  type RconPacket,
  SERVERDATA_AUTH,
  SERVERDATA_AUTH_RESPONSE,
  SERVERDATA_EXECCOMMAND,
  SERVERDATA_RESPONSE_VALUE,
} from '@blockplane/rcon';

/** Replies longer than this are cut: a command's answer is for a person to read. */
const MAX_REPLY_CHARS = 64 * 1024;
const MAX_PACKET_BYTES = 1 << 20;

interface Pending {
  resolve(reply: string): void;
  reject(error: Error): void;
  reply: string;
  timer: NodeJS.Timeout;
}

/**
 * One authenticated RCON session, kept open for many commands. Replies may span several packets, so every
 * command is followed by an empty packet whose answer (an echo, or vanilla's "Unknown request 0") marks
 * the end of the reply; commands may overlap, each reply is matched by id.
 */
export class RconConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly markers = new Map<number, number>();
  private failure: Error | undefined;
  /** Set while the login is answered. */
  private login: { answered(id: number): void; failed(error: Error): void } | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the server closed the RCON connection')));
  }

  static async open(host: string, port: number, password: string, timeoutMs: number): Promise<RconConnection> {
    const socket = connect({ host, port, noDelay: true });
    socket.setTimeout(timeoutMs);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
      socket.once('timeout', () => reject(new Error('timed out connecting')));
    }).catch((error: unknown) => {
      socket.destroy();
      throw new DomainError('UPSTREAM_UNAVAILABLE', `the server's RCON is not reachable: ${(error as Error).message}`);
    });
    socket.setTimeout(0);
    const connection = new RconConnection(socket);
    await connection.authenticate(password, timeoutMs);
    return connection;
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  run(command: string, timeoutMs: number): Promise<string> {
    if (this.failure) return Promise.reject(this.unavailable());
    const id = this.takeId();
    const marker = this.takeId();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DomainError('UPSTREAM_TIMEOUT', `the server did not answer within ${timeoutMs} ms`));
        // Whatever the server still sends belongs to no one now: start afresh with the next command.
        this.close();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, reply: '', timer });
      // The empty packet sent after the command: its answer ends the reply.
      this.markers.set(marker, id);
      this.socket.write(
        Buffer.concat([
          encodeRconPacket({ id, type: SERVERDATA_EXECCOMMAND, body: command }),
          encodeRconPacket({ id: marker, type: SERVERDATA_RESPONSE_VALUE, body: '' }),
        ]),
      );
    });
  }

  close(): void {
    this.fail(new Error('closed'));
    this.socket.destroy();
  }

  private async authenticate(password: string, timeoutMs: number): Promise<void> {
    const answer = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new DomainError('UPSTREAM_TIMEOUT', 'the server did not answer the RCON login')),
        timeoutMs,
      );
      this.login = {
        answered: (id) => {
          clearTimeout(timer);
          resolve(id);
        },
        failed: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
    this.socket.write(encodeRconPacket({ id: this.takeId(), type: SERVERDATA_AUTH, body: password }));
    try {
      if ((await answer) === -1) throw new DomainError('UPSTREAM_UNAVAILABLE', 'the server refused the RCON password');
    } catch (error) {
      this.close();
      throw error instanceof DomainError ? error : this.unavailable();
    } finally {
      this.login = undefined;
    }
  }

  private takeId(): number {
    this.nextId = this.nextId >= 0x7fff_ffff ? 1 : this.nextId + 1;
    return this.nextId;
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    let packets: RconPacket[];
    try {
      ({ packets, rest: this.buffered } = decodeRconPackets(this.buffered, MAX_PACKET_BYTES));
    } catch {
      this.close();
      return;
    }
    for (const packet of packets) this.handle(packet);
  }

  private handle(packet: RconPacket): void {
    if (this.login && packet.type === SERVERDATA_AUTH_RESPONSE) return this.login.answered(packet.id);
    const owner = this.markers.get(packet.id);
    if (owner !== undefined) {
      this.markers.delete(packet.id);
      const pending = this.pending.get(owner);
      this.pending.delete(owner);
      if (pending) {
        clearTimeout(pending.timer);
        pending.resolve(pending.reply);
      }
      return;
    }
    const pending = this.pending.get(packet.id);
    if (pending && pending.reply.length < MAX_REPLY_CHARS)
      pending.reply = (pending.reply + packet.body).slice(0, MAX_REPLY_CHARS);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.login?.failed(error);
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(this.unavailable());
    }
    this.pending.clear();
    this.markers.clear();
  }

  private unavailable(): DomainError {
    return new DomainError(
      'UPSTREAM_UNAVAILABLE',
      `the server's RCON connection failed: ${this.failure?.message ?? 'closed'}`,
    );
  }
}
