import { io, type Socket } from 'socket.io-client';
import {
  type ConsoleAck,
  type ConsoleAckData,
  type ConsoleClientEvent,
  type ConsoleClientPayload,
  type ConsoleLine,
  CONSOLE_SOCKET_NAMESPACE,
  type ConsoleServerToClientEvents,
  type ErrorBody,
} from '@blockplane/contracts';
import { waitFor } from './wait-for.js';

export interface ViewerOptions {
  /** The handshake's `auth.token`; none for an anonymous handshake. */
  token?: string;
  /** Sent as `Origin`, as a browser page of that origin would. */
  origin?: string;
  /** The whole handshake `auth`, to send a malformed one. */
  auth?: Record<string, unknown>;
}

/** What a refused handshake tells the client: socket.io's message, and the gateway's error when it gave one. */
export interface HandshakeRefusal {
  message: string;
  data?: ErrorBody;
  /** The transport's detail (e.g. the HTTP status of a refused request). */
  description?: unknown;
}

export type ViewerEvent = {
  [E in keyof ConsoleServerToClientEvents]: { event: E; payload: Parameters<ConsoleServerToClientEvents[E]>[0] };
}[keyof ConsoleServerToClientEvents];

type Received<E extends ViewerEvent['event']> = Extract<ViewerEvent, { event: E }>['payload'];

/**
 * A client of the gateway's console socket, as a panel or a script would be: it records every event the
 * gateway sends, in order, sends client events with an acknowledgement, and waits on what it received.
 */
export class ConsoleViewer {
  readonly received: ViewerEvent[] = [];
  /** Resolves with socket.io's reason once the socket is disconnected. */
  readonly disconnected: Promise<string>;
  /** `console.output` events received per server since its `join` was sent: what `seen` counts. */
  private readonly frames = new Map<string, number>();

  private constructor(readonly socket: Socket) {
    socket.onAny((event: ViewerEvent['event'], payload: unknown) => {
      this.received.push({ event, payload } as ViewerEvent);
    });
    socket.on('console.output', ({ serverId }: { serverId: string }) => {
      this.frames.set(serverId, (this.frames.get(serverId) ?? 0) + 1);
    });
    this.disconnected = new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  }

  /** Connects over WebSocket; rejects with the `HandshakeRefusal` when the gateway refuses the socket. */
  static connect(gatewayUrl: string, options: ViewerOptions = {}): Promise<ConsoleViewer> {
    const socket = io(`${gatewayUrl}${CONSOLE_SOCKET_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: options.auth ?? (options.token === undefined ? {} : { token: options.token }),
      ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
    });
    const viewer = new ConsoleViewer(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(viewer));
      socket.once('connect_error', (error: Error & Omit<HandshakeRefusal, 'message'>) => {
        socket.close();
        const refusal: HandshakeRefusal = { message: error.message };
        if (error.data) refusal.data = error.data;
        if (error.description !== undefined) refusal.description = error.description;
        reject(refusal);
      });
    });
  }

  /** The refusal of a handshake that must fail (a connection that succeeds fails the caller). */
  static async refusal(gatewayUrl: string, options: ViewerOptions = {}): Promise<HandshakeRefusal> {
    try {
      const viewer = await ConsoleViewer.connect(gatewayUrl, options);
      viewer.close();
    } catch (refusal) {
      return refusal as HandshakeRefusal;
    }
    throw new Error('the gateway accepted a handshake it should have refused');
  }

  /** Sends a client event and resolves with its acknowledgement. */
  send<E extends ConsoleClientEvent>(
    event: E,
    payload: ConsoleClientPayload<E>,
    timeoutMs = 10_000,
  ): Promise<ConsoleAck<ConsoleAckData[E]>> {
    return this.sendRaw(event, [payload], timeoutMs) as Promise<ConsoleAck<ConsoleAckData[E]>>;
  }

  /** Sends anything as an event (an unknown name, a payload of the wrong shape) and resolves with its acknowledgement. */
  sendRaw(event: string, args: unknown[], timeoutMs = 10_000): Promise<ConsoleAck<unknown>> {
    const serverId = (args[0] as { serverId?: unknown } | undefined)?.serverId;
    if (event === 'join' && typeof serverId === 'string') this.frames.delete(serverId);
    return this.socket.timeout(timeoutMs).emitWithAck(event, ...args) as Promise<ConsoleAck<unknown>>;
  }

  /** Tells the gateway (`seen`) that every `console.output` of the server received so far was handled. */
  acknowledge(serverId: string): Promise<ConsoleAck<ConsoleAckData['seen']>> {
    return this.send('seen', { serverId, frames: this.frames.get(serverId) ?? 0 });
  }

  of<E extends ViewerEvent['event']>(event: E): Received<E>[] {
    return this.received.filter((entry) => entry.event === event).map((entry) => entry.payload as Received<E>);
  }

  /** Every console line received for a server, in order. */
  lines(serverId: string): ConsoleLine[] {
    return this.of('console.output')
      .filter((output) => output.serverId === serverId)
      .flatMap((output) => output.lines);
  }

  /** The text of the output lines received for a server. */
  texts(serverId: string, kind: ConsoleLine['kind'] = 'output'): string[] {
    return this.lines(serverId)
      .filter((line) => line.kind === kind)
      .map((line) => line.text);
  }

  /** Waits until the events received so far satisfy `probe`. */
  until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return waitFor(what, probe, { timeoutMs, intervalMs: 20 });
  }

  close(): void {
    this.socket.close();
  }
}
