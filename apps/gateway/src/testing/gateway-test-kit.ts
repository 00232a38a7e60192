import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import {
  type Actor,
  DomainError,
  type EventEnvelope,
  type EventSubject,
  permissions,
  type Principal,
  type RpcPayload,
  type RpcResponse,
  type RpcSubject,
  type Server,
  type ServerAccess,
  type Session,
  type User,
} from '@blockplane/contracts';
import { NatsConnection, RpcResponder } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import {
  connectTestClient,
  type RunningService,
  startTestService,
  type TestServiceClient,
} from '@blockplane/service/testing';
import { testEnv } from '@blockplane/testing';
import { gatewayApp } from '../gateway.app.js';

type StandIn<S extends RpcSubject> = (request: RpcPayload<S>) => Promise<RpcResponse<S>> | RpcResponse<S>;

export interface TokenOptions {
  actor?: Actor;
  issuer?: string;
  audience?: string;
  typ?: string;
  /** Seconds since the epoch; in the past for an expired token. */
  expiresAt?: number;
  /** Sign with a key auth never published. */
  foreignKey?: boolean;
}

/**
 * The real gateway on the real NATS and JetStream, with auth and servers stood in by responders in its
 * namespace (an app may not import another app, and the stand-ins make every answer of theirs a case
 * to test): the gateway's own contract (HTTP mapping, authentication, authorization, cookies,
 * validation, errors, activity events). `tests/` drives the real services together.
 */
export class GatewayTestKit {
  /** The requests each stand-in received, oldest first. */
  readonly received = new Map<RpcSubject, unknown[]>();
  /** Each account's standing as `auth.principal` answers it; a token made by `token()` registers its actor. */
  readonly principals = new Map<string, Principal>();
  private readonly standIns = new Map<RpcSubject, StandIn<never>>();
  private readonly responders: RpcResponder[] = [];

  private constructor(
    private readonly service: RunningService,
    private readonly nats: NatsConnection,
    private readonly events: TestServiceClient,
    private readonly keys: { signing: CryptoKey; foreign: CryptoKey; kid: string },
  ) {}

  static async start(env: Record<string, string> = {}): Promise<GatewayTestKit> {
    const service = await startTestService(gatewayApp, env);
    const logger = createLogger('gateway-test', { level: 'silent' });
    const nats = await NatsConnection.open(
      { url: testEnv.natsUrl, namespace: service.namespace },
      'gateway-test',
      logger,
    );
    const [signing, foreign] = await Promise.all([generateKeyPair('EdDSA'), generateKeyPair('EdDSA')]);
    const kid = randomUUID();
    const events = await connectTestClient(service);
    const keys = { signing: signing.privateKey, foreign: foreign.privateKey, kid };
    const kit = new GatewayTestKit(service, nats, events, keys);
    const jwk = { ...(await exportJWK(signing.publicKey)), kty: 'OKP', kid, alg: 'EdDSA', use: 'sig' };
    kit.answer('auth.jwks', () => ({ keys: [jwk] }));
    kit.answer('auth.principal', ({ userId }) => {
      const principal = kit.principals.get(userId);
      if (principal === undefined) throw new DomainError('NOT_FOUND', 'user not found');
      return principal;
    });
    return kit;
  }

  get url(): string {
    return this.service.url;
  }

  get app(): RunningService['app'] {
    return this.service.app;
  }

  /** The gateway's NATS namespace, for a test that plays another service there (console frames, events). */
  get namespace(): string {
    return this.service.namespace;
  }

  /** Every event of `type` the gateway published to its namespace's stream, oldest first. */
  published<S extends EventSubject>(type: S): Promise<EventEnvelope<S>[]> {
    return this.events.published(type);
  }

  /** The namespace's JetStream stream, for a test that takes it away. */
  get stream(): { name: string; delete(): Promise<boolean> } {
    return { name: this.events.stream, delete: () => this.events.jsm.streams.delete(this.events.stream) };
  }

  /** `Authorization` for a fresh access token of `actor`. */
  async bearer(actor: Actor): Promise<{ Authorization: string }> {
    return { Authorization: `Bearer ${await this.token({ actor })}` };
  }

  /** Stands in for the service that owns `subject`; a later call replaces the answer. */
  answer<S extends RpcSubject>(subject: S, standIn: StandIn<S>): void {
    const known = this.standIns.has(subject);
    this.standIns.set(subject, standIn as StandIn<never>);
    if (known) return;
    const responder = new RpcResponder(
      this.nats,
      `${this.service.namespace}.stand-in`,
      {
        subject,
        handle: async (request) => {
          this.received.set(subject, [...(this.received.get(subject) ?? []), request]);
          const current = this.standIns.get(subject) as StandIn<S>;
          return current(request as RpcPayload<S>);
        },
      },
      createLogger('stand-in', { level: 'silent' }),
    );
    responder.start();
    this.responders.push(responder);
  }

  /** The last request the stand-in for `subject` received. */
  last<S extends RpcSubject>(subject: S): RpcPayload<S> | undefined {
    return this.received.get(subject)?.at(-1) as RpcPayload<S> | undefined;
  }

  /** An access token as auth signs it, or one broken in the way the options say; its account is active unless set. */
  token(options: TokenOptions = {}): Promise<string> {
    const actor = options.actor ?? { userId: randomUUID(), role: 'user' };
    if (!this.principals.has(actor.userId)) {
      this.principals.set(actor.userId, { userId: actor.userId, role: actor.role, status: 'active' });
    }
    return new SignJWT({ role: actor.role })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.keys.kid, typ: options.typ ?? 'at+jwt' })
      .setSubject(actor.userId)
      .setIssuer(options.issuer ?? 'blockplane-auth')
      .setAudience(options.audience ?? 'blockplane-api')
      .setIssuedAt()
      .setExpirationTime(options.expiresAt ?? '15m')
      .sign(options.foreignKey ? this.keys.foreign : this.keys.signing);
  }

  async close(): Promise<void> {
    await Promise.all(this.responders.map((responder) => responder.stop()));
    await this.nats.close();
    await this.service.close();
    await this.events.close();
  }
}

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    email: 'steve@example.com',
    role: 'user',
    quota: { maxServers: 3, maxCpuCores: 4, maxMemoryMb: 8192, maxDiskGb: 40 },
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export function aSession(user = aUser()): Session {
  return {
    accessToken: 'access-token',
    tokenType: 'Bearer',
    expiresIn: 900,
    refreshToken: `refresh-${randomUUID()}`,
    refreshExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    user,
  };
}

export function aServer(overrides: Partial<Server> = {}): Server {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    ownerId: randomUUID(),
    name: 'survival',
    type: 'paper',
    version: '1.21.4',
    plan: 'small',
    status: 'creating',
    statusReason: null,
    address: null,
    resources: { cpuCores: 1, memoryMb: 2048, diskGb: 10 },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** The caller's rights on a server as `servers.access` answers them: by default its owner's, every permission. */
export function anAccess(actor: Actor, overrides: Partial<ServerAccess> = {}): ServerAccess {
  return {
    serverId: randomUUID(),
    ownerId: actor.userId,
    kind: 'owner',
    permissions: [...permissions],
    ...overrides,
  };
}
