import { Injectable } from '@nestjs/common';
import {
  type ConsoleAckData,
  type ConsoleClientEvent,
  type ConsoleClientPayload,
  type ConsoleStatusEvent,
  powerRequestSchema,
  type ServerAccess,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';
import { ServerAccess as OnServer, SignedIn } from '../access/access-rule.js';
import { SocketEvent } from '../access/socket-event.js';
import { ActivityRecordedBy, RecordActivity } from '../activity/record-activity.decorator.js';
import { powerPermission } from '../servers/servers.controller.js';
import { ConsoleFeeds } from './console-feeds.js';
import type { ViewerSession } from './viewer-session.js';
import { ViewerSessions } from './viewer-sessions.js';

/** One client event, once its payload passed the contract's schema and its sender the declared rule. */
export interface SocketCall<E extends ConsoleClientEvent> {
  session: ViewerSession;
  payload: ConsoleClientPayload<E>;
  /** The sender's rights on the payload's server, for a server rule. */
  access: ServerAccess | undefined;
}

/** The console socket's client events: each states its rule as a route does, and is one call to a service. */
@Injectable()
export class ConsoleEvents {
  constructor(
    private readonly feeds: ConsoleFeeds,
    private readonly sessions: ViewerSessions,
    private readonly rpc: RpcClient,
  ) {}

  /** The server's status and last lines, then its live output, until `leave`. */
  @SocketEvent('join', { readOnly: true })
  @OnServer('control.console')
  async join({ session, payload: { serverId } }: SocketCall<'join'>): Promise<ConsoleAckData['join']> {
    await this.feeds.join(session, serverId);
    return { serverId };
  }

  /** Always allowed: leaving a server the socket does not watch changes nothing. */
  @SocketEvent('leave', { readOnly: true })
  @SignedIn()
  async leave({ session, payload: { serverId } }: SocketCall<'leave'>): Promise<ConsoleAckData['leave']> {
    this.feeds.leave(session, serverId);
    return { serverId };
  }

  /** The console checks `control.command` again, rate-limits it and records it; the reply is the sender's only. */
  @SocketEvent('command')
  @OnServer('control.command')
  @ActivityRecordedBy('console', 'console.command')
  async command({ session, payload }: SocketCall<'command'>): Promise<ConsoleAckData['command']> {
    const request = { actor: session.actor, source: session.source, ...payload };
    // Longer than the console's own limit on a command, so its timeout is the one the sender hears.
    const result = await this.rpc.request('console.command', request, 7_000);
    session.socket.emit('command.result', result);
    return result;
  }

  /** The same permission per action as `POST servers/:id/power`, and the same activity entry. */
  @SocketEvent('power')
  @OnServer(powerPermission)
  @RecordActivity<ConsoleStatusEvent>('server.power', ({ body }) => ({
    details: { action: powerRequestSchema.parse(body).action },
  }))
  async power({ session, payload }: SocketCall<'power'>): Promise<ConsoleAckData['power']> {
    const server = await this.rpc.request('servers.power', { actor: session.actor, ...payload });
    return { serverId: server.id, status: server.status, reason: server.statusReason };
  }

  /** Only says how far the client has read: needs no right beyond the socket's, and changes nothing kept. */
  @SocketEvent('seen', { readOnly: true })
  @SignedIn()
  async seen({ session, payload: { serverId, frames } }: SocketCall<'seen'>): Promise<ConsoleAckData['seen']> {
    this.feeds.seen(session, serverId, frames);
    return { serverId };
  }

  /** A fresh access token for this socket, of the same account. */
  @SocketEvent('auth', { readOnly: true })
  @SignedIn({ apiKeys: false })
  auth({ session, payload: { token } }: SocketCall<'auth'>): Promise<ConsoleAckData['auth']> {
    return this.sessions.refresh(session, token);
  }
}
