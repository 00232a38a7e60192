import type { Server as HttpServer } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Server } from 'socket.io';
import {
  type ConsoleAck,
  type ConsoleClientEvent,
  consoleClientEventSchemas,
  type ConsoleErrorEvent,
  CONSOLE_SOCKET_NAMESPACE,
  DomainError,
} from '@blockplane/contracts';
import { LOGGER, type Logger } from '@blockplane/observability';
import { RouteCatalogue, type SocketEventEntry } from '../access/route-catalogue.js';
import { RuleCheck } from '../access/rule-check.js';
import { ActivityRecorder } from '../activity/activity.recorder.js';
import { OriginPolicy } from '../http/origin-policy.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import type { ConsoleServer, ConsoleSocket } from './console-socket.types.js';
import { errorBodyOf, handshakeRefusal } from './socket-errors.js';
import type { ViewerSession } from './viewer-session.js';
import { ViewerSessions } from './viewer-sessions.js';

/** A client sends small payloads only (a command is at most 256 characters, a token at most 4 KiB). */
const MAX_MESSAGE_BYTES = 16 * 1024;

type Ack = (answer: ConsoleAck<unknown>) => void;
/** A validated payload of any client event: some name a server. */
type Payload = { serverId?: string } & Record<string, unknown>;

/**
 * socket.io on the gateway's HTTP server, namespace `/console`. The engine refuses a browser of another
 * origin before any handshake; the namespace refuses a socket without a valid credential. Each client event
 * is validated against the contract, checked against its handler's declared rule, handled, recorded in the
 * activity log if it says so, and answered on its acknowledgement (`{ok, data}` or `{ok: false, error}`); a
 * failure is also an `error` event naming the event. An event the protocol does not have is an error too.
 */
@Injectable()
export class ConsoleSocketServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private io: ConsoleServer | undefined;
  private readonly handlers = new Map<string, SocketEventEntry>();

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly origins: OriginPolicy,
    private readonly sessions: ViewerSessions,
    private readonly catalogue: RouteCatalogue,
    private readonly rules: RuleCheck,
    private readonly activity: ActivityRecorder,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    for (const entry of this.catalogue.socketEvents) this.handlers.set(entry.event, entry);
    const allowed = (origin: string | undefined) => origin === undefined || this.origins.allows(origin);
    const io: ConsoleServer = new Server(this.host.httpAdapter.getHttpServer() as HttpServer, {
      serveClient: false,
      maxHttpBufferSize: MAX_MESSAGE_BYTES,
      // No Origin: not a browser (as over HTTP). A browser page of another origin gets no session at all.
      allowRequest: (req, answer) => {
        const ok = allowed(req.headers.origin);
        answer(ok ? null : 'origin not allowed', ok);
      },
      cors: { origin: (origin, answer) => answer(null, origin !== undefined && allowed(origin)) },
    });
    // The main namespace serves nothing.
    io.of('/').use((_socket, next) => next(handshakeRefusal({ code: 'NOT_FOUND', message: 'use /console' })));
    const namespace = io.of(CONSOLE_SOCKET_NAMESPACE);
    namespace.use((socket, next) => {
      this.sessions.open(socket).then(
        (session) => {
          socket.data.session = session;
          next();
        },
        (error: unknown) => next(handshakeRefusal(errorBodyOf(error, this.logger))),
      );
    });
    namespace.on('connection', (socket) => this.connected(socket));
    this.io = io;
  }

  beforeApplicationShutdown(): void {
    if (!this.io) return;
    this.io.of(CONSOLE_SOCKET_NAMESPACE).disconnectSockets(true);
    // Closes the engine's connections, not the HTTP server: Nest closes that one.
    this.io.engine.close();
  }

  private connected(socket: ConsoleSocket): void {
    const session = socket.data.session;
    if (!session) {
      socket.disconnect(true);
      return;
    }
    socket.onAny((event: string, ...args: unknown[]) => void this.dispatch(session, event, args));
    socket.on('disconnect', () => this.sessions.close(session));
  }

  private async dispatch(session: ViewerSession, event: string, args: unknown[]): Promise<void> {
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as Ack) : undefined;
    const entry = this.handlers.get(event);
    const name: ConsoleErrorEvent['event'] = entry ? entry.event : 'unknown';
    try {
      if (!entry) throw new DomainError('VALIDATION_FAILED', `unknown event ${JSON.stringify(event.slice(0, 64))}`);
      if (session.busy) throw new DomainError('RATE_LIMITED', 'too many events at once: wait for their answers');
      const payload = this.payloadOf(entry.event, args);
      // `seen` times the client's reading: it must not wait behind a slow command about the same server.
      const data =
        entry.event === 'seen'
          ? await this.handle(entry, session, payload)
          : await session.run(payload.serverId ?? entry.event, () => this.handle(entry, session, payload));
      ack?.({ ok: true, data });
    } catch (error) {
      const body = errorBodyOf(error, this.logger);
      session.error(body, name);
      ack?.({ ok: false, error: body });
    }
  }

  private payloadOf(event: ConsoleClientEvent, args: unknown[]): Payload {
    if (args.length > 1) throw new DomainError('VALIDATION_FAILED', 'an event carries one payload object');
    return new ZodBodyPipe(consoleClientEventSchemas[event], 'payload').transform(args[0]) as Payload;
  }

  private async handle(entry: SocketEventEntry, session: ViewerSession, payload: Payload): Promise<unknown> {
    if (session.ended) throw new DomainError('UNAUTHENTICATED', 'this socket is no longer authorised');
    // A server rule reads the payload's server as a route reads `:id`; the rest is what a route's body is.
    const { serverId, ...body } = payload;
    const { actor, source } = session;
    const access = await this.rules.check(entry.access, actor, { serverId, body });
    const answer = await entry.invoke({ session, payload, access });
    const recording = entry.recording;
    if (recording && recording.recordedBy === undefined) {
      const done = { actor, source, serverId: access?.serverId, call: { params: {}, body, answer } };
      await this.activity.publish(recording, done);
    }
    return answer;
  }
}
