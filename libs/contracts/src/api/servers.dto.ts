import { z } from 'zod';
import { permissionSchema } from '../auth/permissions.js';

export const serverTypes = ['vanilla', 'paper', 'spigot', 'forge', 'fabric'] as const;
export type ServerType = (typeof serverTypes)[number];

/**
 * The documented state machine, driven by the provisioner's events:
 * creating → provisioning → starting → running → stopping → stopped (→ starting …),
 * any state → error (with a reason), and deleting → deleted.
 */
export const serverStatuses = [
  'creating',
  'provisioning',
  'starting',
  'running',
  'stopping',
  'stopped',
  'error',
  'deleting',
  'deleted',
] as const;
export type ServerStatus = (typeof serverStatuses)[number];

export const powerActions = ['start', 'stop', 'restart', 'kill'] as const;
export type PowerAction = (typeof powerActions)[number];

const noControlCharacters = (value: string) => !/\p{Cc}/u.test(value);

export const serverNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .refine(noControlCharacters, 'must not contain control characters');

export const createServerRequestSchema = z
  .object({
    name: serverNameSchema,
    type: z.enum(serverTypes),
    version: z.string().min(1).max(32),
    plan: z.string().min(1).max(32),
  })
  .strict();
export type CreateServerRequest = z.infer<typeof createServerRequestSchema>;

export const powerRequestSchema = z.object({ action: z.enum(powerActions) }).strict();
export type PowerRequest = z.infer<typeof powerRequestSchema>;

export const resourcesSchema = z.object({
  cpuCores: z.number().positive(),
  memoryMb: z.int().positive(),
  diskGb: z.int().positive(),
});
export type Resources = z.infer<typeof resourcesSchema>;

export const planSchema = resourcesSchema.extend({ id: z.string(), name: z.string() });
export type Plan = z.infer<typeof planSchema>;

export const serverTypeInfoSchema = z.object({
  id: z.enum(serverTypes),
  name: z.string(),
  versions: z.array(z.string()),
});
export type ServerTypeInfo = z.infer<typeof serverTypeInfoSchema>;

export const serverSchema = z.object({
  id: z.uuid(),
  ownerId: z.uuid(),
  name: z.string(),
  type: z.enum(serverTypes),
  version: z.string(),
  plan: z.string(),
  status: z.enum(serverStatuses),
  /** Why the server is in its status, in words a user understands (e.g. "not enough memory in the cluster"). */
  statusReason: z.string().nullable(),
  /** `host:port` where players connect, once known. */
  address: z.string().nullable(),
  resources: resourcesSchema,
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type Server = z.infer<typeof serverSchema>;

/** How the caller reaches a server: as its owner, as a sub-user, or as an admin. */
export const accessKinds = ['owner', 'subuser', 'admin'] as const;
export type AccessKind = (typeof accessKinds)[number];

/** The caller's effective rights on one server (an API key narrows them to the key's permissions). */
export const serverAccessSchema = z.object({
  serverId: z.uuid(),
  ownerId: z.uuid(),
  kind: z.enum(accessKinds),
  permissions: z.array(permissionSchema),
});
export type ServerAccess = z.infer<typeof serverAccessSchema>;

/** A server on the dashboard, with what the caller may do on it. */
export const accessibleServerSchema = serverSchema.extend({
  access: z.enum(accessKinds),
  permissions: z.array(permissionSchema),
});
export type AccessibleServer = z.infer<typeof accessibleServerSchema>;

const usageLine = z.object({ used: z.number(), max: z.number() });
export const usageSchema = z.object({
  servers: usageLine,
  cpuCores: usageLine,
  memoryMb: usageLine,
  diskGb: usageLine,
});
export type Usage = z.infer<typeof usageSchema>;

/** An opaque position in a keyset-paged list; only the service that issued it reads it. */
export const pageCursorSchema = z.string().min(1).max(256);

const dashboardLimit = z.int().min(1).max(200);

/** Which page of the caller's servers (oldest first) the dashboard shows. */
export const dashboardPageSchema = z
  .object({ limit: dashboardLimit.default(50), cursor: pageCursorSchema.optional() })
  .strict();
export type DashboardPage = z.input<typeof dashboardPageSchema>;

/** The same from `GET /servers?limit=&cursor=`, where the limit arrives as text. */
export const dashboardQuerySchema = dashboardPageSchema.extend({
  limit: z.coerce.number().pipe(dashboardLimit).optional(),
});

/**
 * One page of the servers the caller owns or is a sub-user of, with their rights on each
 * (`nextCursor` null on the last), and the caller's usage against their own quota.
 */
export const dashboardSchema = z.object({
  servers: z.array(accessibleServerSchema),
  usage: usageSchema,
  nextCursor: pageCursorSchema.nullable(),
});
export type Dashboard = z.infer<typeof dashboardSchema>;
