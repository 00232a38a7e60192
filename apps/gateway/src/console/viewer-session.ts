import type { Actor, ConsoleErrorEvent, ErrorBody } from '@blockplane/contracts';
import type { ConsoleSocket } from './console-socket.types.js';

/** What a socket authenticated with: an access token ends at `expiresAt` (ms), an API key when revoked. */
export interface Credential {
  secret: string;
  actor: Actor;
  expiresAt: number | undefined;
}

/** Events of one socket waiting or running at once; more is refused (a client has no need for more). */
const MAX_IN_FLIGHT = 32;
/**
 * Frames a connection may have unsent (about a second of a busy console) before a viewer that sends no
 * `seen` is skipped: one that cannot keep up misses lines, and hears how many, instead of the gateway
 * queueing a flood for it. Those that send `seen` are judged by it (`OutputWindow`), much sooner.
 */
const MAX_UNSENT_FRAMES = 20;

/**
 * One authenticated socket: who it speaks for (as the last check of its credential said), where from, the
 * servers it watches, and its events, those about one server handled one after another.
 */
export class ViewerSession {
  readonly joined = new Set<string>();
  /** Set once the socket's authorisation ended (expired, revoked, suspended) or it disconnected. */
  ended = false;
  private readonly queues = new Map<string, Promise<unknown>>();
  private inFlight = 0;
  /** Console frames sent since the connection last had nothing in flight. */
  private unsent = 0;

  constructor(
    readonly socket: ConsoleSocket,
    public credential: Credential,
    readonly source: string,
  ) {}

  /** Whether the transport is too far behind to be sent more console output now. */
  get lagging(): boolean {
    // A writable transport has handed everything to the kernel, whose buffers may hold seconds of output
    // unread: all a client that does not acknowledge lets the gateway know.
    if (this.socket.conn.transport.writable) this.unsent = 0;
    return this.unsent >= MAX_UNSENT_FRAMES;
  }

  /** A console frame was sent to the client. */
  sent(): void {
    this.unsent += 1;
  }

  get actor(): Actor {
    return this.credential.actor;
  }

  /** Whether another event may be taken now. */
  get busy(): boolean {
    return this.inFlight >= MAX_IN_FLIGHT;
  }

  /** Runs `work` once the earlier work of the same key has settled: one server's join and leave keep their order. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    const done = (this.queues.get(key) ?? Promise.resolve()).then(work);
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      this.inFlight -= 1;
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return done;
  }

  error(body: ErrorBody, event: ConsoleErrorEvent['event']): void {
    this.socket.emit('error', { ...body, event });
  }
}
