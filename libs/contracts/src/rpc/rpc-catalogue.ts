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
  serverSchema,
  serverTypeInfoSchema,
  usageSchema,
} from '../api/servers.dto.js';
import { serverSpecSchema } from '../events/event-catalogue.js';

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

  'auth.register': { request: registerRequestSchema, response: userSchema },
  /** `source` is the caller's address, for per-address rate limits. */
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
  'auth.set-quota': { request: asActor({ userId: z.uuid(), quota: quotaSchema }), response: userSchema },

  'servers.plans': { request: nothing, response: z.array(planSchema) },
  'servers.types': { request: nothing, response: z.array(serverTypeInfoSchema) },
  'servers.create': { request: asActor(createServerRequestSchema.shape), response: serverSchema },
  'servers.dashboard': { request: asActor(dashboardPageSchema.shape), response: dashboardSchema },
  'servers.get': { request: asActor({ serverId: z.uuid() }), response: serverSchema },
  'servers.power': { request: asActor({ serverId: z.uuid(), action: z.enum(powerActions) }), response: serverSchema },
  'servers.delete': { request: asActor({ serverId: z.uuid() }), response: serverSchema },
  'servers.usage': { request: asActor({}), response: usageSchema },
  /** Every server that should exist, a page at a time, for the provisioner's level-triggered reconciliation. */
  'servers.desired-state': {
    request: z.object({ limit: z.int().min(1).max(1000).default(500), cursor: pageCursorSchema.optional() }).strict(),
    response: z.object({ servers: z.array(serverSpecSchema), nextCursor: pageCursorSchema.nullable() }),
  },
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
