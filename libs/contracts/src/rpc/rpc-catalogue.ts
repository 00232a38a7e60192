import { z } from 'zod';
import { actorSchema } from '../auth/actor.js';
import { loginRequestSchema, quotaSchema, registerRequestSchema, sessionSchema, userSchema } from '../api/auth.dto.js';
import {
  createServerRequestSchema,
  dashboardPageSchema,
  dashboardSchema,
  pageCursorSchema,
  planSchema,
  powerActions,
  serverAccessSchema,
  serverSchema,
  serverTypeInfoSchema,
  usageSchema,
} from '../api/servers.dto.js';
import { serverSpecSchema } from '../events/event-catalogue.js';
import { consoleStatusSchema } from '../console/console.frames.js';
import { consoleRpcCatalogue } from '../console/console.rpc.js';
import { filesRpcCatalogue } from '../files/files.rpc.js';
import {
  activityPageSchema,
  adminActivityQuerySchema,
  adminServerPageSchema,
  adminServersQuerySchema,
  adminUserPageSchema,
  adminUserSchema,
  adminUsersQuerySchema,
  apiKeySchema,
  createApiKeyRequestSchema,
  createdApiKeySchema,
  inviteSubuserRequestSchema,
  pageQuerySchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  principalSchema,
  registrationAcceptedSchema,
  subuserSchema,
  suspendUserRequestSchema,
  updateSubuserRequestSchema,
  updateUserRequestSchema,
} from '../api/access.dto.js';

export const serviceNames = ['gateway', 'auth', 'servers', 'provisioner', 'console', 'files'] as const;
export type ServiceName = (typeof serviceNames)[number];

const pingResponse = z.object({
  service: z.enum(serviceNames),
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  /** The trace the request arrived in: lets callers check that context crossed the hop. */
  traceId: z.string().optional(),
});
const ping = { request: z.object({}).strict(), response: pingResponse };

const nothing = z.object({}).strict();
const asActor = <T extends z.ZodRawShape>(shape: T) => z.object({ actor: actorSchema, ...shape }).strict();
const jwkSchema = z.looseObject({ kid: z.string(), kty: z.string(), alg: z.string() });

/** Every request/reply subject over core NATS, with its request and response schemas. */
export const rpcCatalogue = {
  'auth.ping': ping,
  'servers.ping': ping,
  'provisioner.ping': ping,
  'console.ping': ping,
  'files.ping': ping,

  /** `source` is the caller's address, for per-address rate limits (login, refresh, registration, reset). */
  'auth.register': {
    request: registerRequestSchema.extend({ source: z.string().max(64) }).strict(),
    response: registrationAcceptedSchema,
  },
  'auth.login': {
    request: loginRequestSchema.extend({ source: z.string().max(64) }).strict(),
    response: sessionSchema,
  },
  'auth.refresh': {
    request: z.object({ refreshToken: z.string().min(1).max(512), source: z.string().max(64) }).strict(),
    response: sessionSchema,
  },
  'auth.logout': { request: z.object({ refreshToken: z.string().min(1).max(512) }).strict(), response: nothing },
  'auth.me': { request: asActor({}), response: userSchema },
  /** Public keys that verify access tokens (JWKS); the gateway caches them. */
  'auth.jwks': { request: nothing, response: z.object({ keys: z.array(jwkSchema) }) },
  'auth.password-reset.request': {
    request: passwordResetRequestSchema.extend({ source: z.string().max(64) }).strict(),
    response: nothing,
  },
  'auth.password-reset.confirm': {
    request: passwordResetConfirmSchema.extend({ source: z.string().max(64) }).strict(),
    response: nothing,
  },
  /** The account's standing now: the gateway asks on every request made with an access token. */
  'auth.principal': { request: z.object({ userId: z.uuid() }).strict(), response: principalSchema },
  /** Turns an API key into the actor it speaks for (UNAUTHENTICATED when unknown, revoked, expired or off its IP list). */
  'auth.verify-api-key': {
    request: z.object({ key: z.string().min(1).max(256), source: z.string().max(64) }).strict(),
    response: actorSchema,
  },
  'auth.api-keys.list': { request: asActor({}), response: z.array(apiKeySchema) },
  'auth.api-keys.create': { request: asActor(createApiKeyRequestSchema.shape), response: createdApiKeySchema },
  'auth.api-keys.revoke': { request: asActor({ keyId: z.uuid() }), response: nothing },

  // The admin API: auth refuses a caller who is not an admin (FORBIDDEN).
  'auth.set-quota': { request: asActor({ userId: z.uuid(), quota: quotaSchema }), response: userSchema },
  'auth.admin.users': { request: asActor(adminUsersQuerySchema.shape), response: adminUserPageSchema },
  'auth.admin.user': { request: asActor({ userId: z.uuid() }), response: adminUserSchema },
  'auth.admin.update-user': {
    request: asActor({ userId: z.uuid(), ...updateUserRequestSchema.shape }),
    response: adminUserSchema,
  },
  'auth.admin.suspend': {
    request: asActor({ userId: z.uuid(), ...suspendUserRequestSchema.shape }),
    response: adminUserSchema,
  },
  'auth.admin.unsuspend': { request: asActor({ userId: z.uuid() }), response: adminUserSchema },

  'servers.plans': { request: nothing, response: z.array(planSchema) },
  'servers.types': { request: nothing, response: z.array(serverTypeInfoSchema) },
  'servers.create': { request: asActor(createServerRequestSchema.shape), response: serverSchema },
  'servers.dashboard': { request: asActor(dashboardPageSchema.shape), response: dashboardSchema },
  'servers.get': { request: asActor({ serverId: z.uuid() }), response: serverSchema },
  'servers.power': { request: asActor({ serverId: z.uuid(), action: z.enum(powerActions) }), response: serverSchema },
  'servers.delete': { request: asActor({ serverId: z.uuid() }), response: serverSchema },
  'servers.usage': { request: asActor({}), response: usageSchema },
  /** The caller's rights on one server; NOT_FOUND when they have none (the server does not exist for them). */
  'servers.access': { request: asActor({ serverId: z.uuid() }), response: serverAccessSchema },
  'servers.subusers.list': { request: asActor({ serverId: z.uuid() }), response: z.array(subuserSchema) },
  'servers.subusers.create': {
    request: asActor({ serverId: z.uuid(), ...inviteSubuserRequestSchema.shape }),
    response: subuserSchema,
  },
  'servers.subusers.update': {
    request: asActor({ serverId: z.uuid(), userId: z.uuid(), ...updateSubuserRequestSchema.shape }),
    response: subuserSchema,
  },
  'servers.subusers.remove': { request: asActor({ serverId: z.uuid(), userId: z.uuid() }), response: nothing },
  'servers.activity': {
    request: asActor({ serverId: z.uuid(), ...pageQuerySchema.shape }),
    response: activityPageSchema,
  },
  /** Admins only (FORBIDDEN otherwise): every server with its owner; the whole activity log. */
  'servers.admin.list': { request: asActor(adminServersQuerySchema.shape), response: adminServerPageSchema },
  'servers.admin.activity': { request: asActor(adminActivityQuerySchema.shape), response: activityPageSchema },
  /** Every server that should exist, a page at a time, for the provisioner's level-triggered reconciliation. */
  'servers.desired-state': {
    request: z.object({ limit: z.int().min(1).max(1000).default(500), cursor: pageCursorSchema.optional() }).strict(),
    response: z.object({ servers: z.array(serverSpecSchema), nextCursor: pageCursorSchema.nullable() }),
  },
  /**
   * A server's status as the panel knows it, for services with no caller to ask for (the console's viewers);
   * `at`: when it was read, after any change in progress committed, so a `server.status-changed` older than
   * that is already in the answer.
   */
  'servers.status': {
    request: z.object({ serverId: z.uuid() }).strict(),
    response: consoleStatusSchema.extend({ at: z.iso.datetime({ offset: true }) }),
  },
  ...consoleRpcCatalogue,
  ...filesRpcCatalogue,
} as const;

export type RpcCatalogue = typeof rpcCatalogue;
export type RpcSubject = keyof RpcCatalogue;
/** What a caller sends. */
export type RpcRequest<S extends RpcSubject> = z.input<RpcCatalogue[S]['request']>;
/** What a handler receives: the request after validation and normalisation. */
export type RpcPayload<S extends RpcSubject> = z.output<RpcCatalogue[S]['request']>;
export type RpcResponse<S extends RpcSubject> = z.infer<RpcCatalogue[S]['response']>;
export type PingResponse = z.infer<typeof pingResponse>;
export type PingedService = Exclude<ServiceName, 'gateway'>;
export type PingSubject = `${PingedService}.ping`;
