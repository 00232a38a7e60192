import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Application } from 'express';
import { decodeJwt } from 'jose';
import proxyaddr from 'proxy-addr';
import { z } from 'zod';
import { consoleHandshakeSchema, DomainError, type ErrorBody, type TokenExpiring } from '@blockplane/contracts';
import { LOGGER, type Logger } from '@blockplane/observability';
import { RouteCatalogue } from '../access/route-catalogue.js';
import { RuleCheck } from '../access/rule-check.js';
import { CallerAuthenticator } from '../authentication/caller-authenticator.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ConsoleFeeds } from './console-feeds.js';
import { CONSOLE_SOCKET_CONFIG, type ConsoleSocketConfig } from './console-socket.section.js';
import type { ConsoleSocket } from './console-socket.types.js';
import { type Credential, ViewerSession } from './viewer-session.js';

const handshake = new ZodBodyPipe(consoleHandshakeSchema, 'payload');
const invalidCredential = () => new DomainError('UNAUTHENTICATED', 'a valid access token or API key is required');

/**
 * The console's authenticated sockets: the handshake (the credential through the same authenticator as
 * every HTTP request), the token's end (announced `tokenNoticeMs` before, then the socket's authorisation
 * ends), a fresh token on the same socket, and the re-checks that revocations call for.
 */
@Injectable()
export class ViewerSessions {
  private readonly byUser = new Map<string, Set<ViewerSession>>();
  private readonly timers = new WeakMap<ViewerSession, NodeJS.Timeout[]>();

  constructor(
    private readonly callers: CallerAuthenticator,
    private readonly rules: RuleCheck,
    private readonly catalogue: RouteCatalogue,
    private readonly feeds: ConsoleFeeds,
    private readonly host: HttpAdapterHost,
    @Inject(CONSOLE_SOCKET_CONFIG) private readonly config: ConsoleSocketConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The handshake: `auth: {token, version?}`; a missing credential is UNAUTHENTICATED, a malformed one a 400. */
  async open(socket: ConsoleSocket): Promise<ViewerSession> {
    const auth = z.object({ token: z.string().min(1) }).safeParse(socket.handshake.auth);
    if (!auth.success) throw invalidCredential();
    const { token } = handshake.transform(socket.handshake.auth);
    const source = this.sourceOf(socket);
    const session = new ViewerSession(socket, await this.verify(token, source), source);
    const sessions = this.byUser.get(session.actor.userId) ?? new Set();
    this.byUser.set(session.actor.userId, sessions.add(session));
    this.schedule(session);
    return session;
  }

  /** The socket is gone: its viewing ends with it. */
  close(session: ViewerSession): void {
    session.ended = true;
    this.clearTimers(session);
    this.feeds.leaveAll(session);
    const sessions = this.byUser.get(session.actor.userId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.byUser.delete(session.actor.userId);
  }

  ofUser(userId: string): ViewerSession[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  /** `auth`: a fresh access token of the same account replaces the socket's credential before it ends. */
  async refresh(session: ViewerSession, token: string): Promise<TokenExpiring> {
    const fresh = await this.verify(token, session.source);
    if (fresh.expiresAt === undefined) {
      throw new DomainError('VALIDATION_FAILED', 'auth takes a fresh access token, not an API key', [
        { path: 'token', message: 'expected an access token' },
      ]);
    }
    if (fresh.actor.userId !== session.actor.userId) {
      throw new DomainError('FORBIDDEN', 'the token is for another account: open a socket of its own');
    }
    session.credential = fresh;
    this.schedule(session);
    return { expiresAt: new Date(fresh.expiresAt).toISOString() };
  }

  /**
   * The account changed (suspended, role changed): the credential is checked again as at the handshake,
   * then every server the socket watches. Failing to reach auth changes nothing: the next event will tell.
   */
  async revalidate(session: ViewerSession): Promise<void> {
    let actor;
    try {
      actor = await this.callers.authenticate(session.credential.secret, session.source);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'FORBIDDEN') this.end(session, error.toBody());
      else this.logger.warn({ err: error }, 'console socket credential could not be checked again');
      return;
    }
    if (!actor) {
      this.end(session, invalidCredential().toBody());
      return;
    }
    session.credential = { ...session.credential, actor };
    await Promise.all([...session.joined].map((serverId) => this.recheck(session, serverId)));
  }

  /**
   * The caller's rights on a watched server changed: the join rule is checked again, and a viewer who no
   * longer meets it leaves the server with the error that a join would get now.
   */
  recheck(session: ViewerSession, serverId: string): Promise<void> {
    return session.run(serverId, async () => {
      if (!session.joined.has(serverId)) return;
      try {
        await this.rules.check(this.joinRule(), session.actor, { serverId, body: {} });
      } catch (error) {
        if (!(error instanceof DomainError) || !['FORBIDDEN', 'NOT_FOUND'].includes(error.code)) {
          this.logger.warn({ err: error, serverId }, 'console viewer access could not be checked again');
          return;
        }
        this.feeds.leave(session, serverId);
        const permission = (error.details as { permission?: unknown } | undefined)?.permission;
        session.error(
          { ...error.toBody(), details: { serverId, ...(permission ? { permission } : {}) } },
          'connection',
        );
      }
    });
  }

  /** The socket's authorisation ended: it leaves every server, hears why, and is disconnected. */
  end(session: ViewerSession, reason: ErrorBody): void {
    if (session.ended) return;
    this.close(session);
    session.error(reason, 'connection');
    session.socket.disconnect(true);
  }

  private joinRule() {
    const join = this.catalogue.socketEvents.find((entry) => entry.event === 'join');
    if (!join) throw new DomainError('INTERNAL', 'the console socket has no join handler');
    return join.access;
  }

  private async verify(token: string, source: string): Promise<Credential> {
    const actor = await this.callers.authenticate(token, source);
    if (!actor) throw invalidCredential();
    // The token was just verified: its `exp` is the one auth signed.
    const expiresAt = actor.apiKey ? undefined : (decodeJwt(token).exp ?? 0) * 1000;
    return { secret: token, actor, expiresAt };
  }

  /** Announces the token's end ahead of it; at the end, without a fresh token, the socket's authorisation ends. */
  private schedule(session: ViewerSession): void {
    this.clearTimers(session);
    const { expiresAt } = session.credential;
    if (expiresAt === undefined) return;
    const now = Date.now();
    const notice = setTimeout(
      () => session.socket.emit('token.expiring', { expiresAt: new Date(expiresAt).toISOString() }),
      Math.max(0, expiresAt - this.config.tokenNoticeMs - now),
    );
    const end = setTimeout(
      () => this.end(session, { code: 'UNAUTHENTICATED', message: 'the access token expired' }),
      Math.max(0, expiresAt - now),
    );
    this.timers.set(session, [notice, end]);
  }

  private clearTimers(session: ViewerSession): void {
    for (const timer of this.timers.get(session) ?? []) clearTimeout(timer);
    this.timers.delete(session);
  }

  /** The caller's address as Express resolves it for HTTP requests (`TRUST_PROXY`): API keys' allow-lists use it. */
  private sourceOf(socket: ConsoleSocket): string {
    const trust = this.host.httpAdapter.getInstance<Application>().get('trust proxy fn') as Parameters<
      typeof proxyaddr
    >[1];
    return proxyaddr(socket.request, trust).slice(0, 64);
  }
}
