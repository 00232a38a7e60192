import { z } from 'zod';
import { roles } from '../auth/actor.js';
import { permissionSchema } from '../auth/permissions.js';
import { emailSchema, passwordSchema, userSchema } from './auth.dto.js';
import { pageCursorSchema, serverSchema } from './servers.dto.js';

const timestamp = z.iso.datetime({ offset: true });
const pageLimit = z.int().min(1).max(200);

/** `?limit=&cursor=` on every paged list; the limit arrives as text. */
export const pageQuerySchema = z
  .object({ limit: z.coerce.number().pipe(pageLimit).default(50), cursor: pageCursorSchema.optional() })
  .strict();
export type PageQuery = z.infer<typeof pageQuerySchema>;

/** A permission set as sent by clients: no repeats, sorted by the service. */
export const permissionSetSchema = z
  .array(permissionSchema)
  .max(64)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a permission');

// ── Accounts as the gateway sees them on every request ───────────────────────────────────────────

export const accountStatuses = ['active', 'suspended'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

/** An account's current standing, asked on every request so suspension and demotion apply at once. */
export const principalSchema = z.object({
  userId: z.uuid(),
  role: z.enum(roles),
  status: z.enum(accountStatuses),
});
export type Principal = z.infer<typeof principalSchema>;

/** Registration answers the same whether or not the email was already registered. */
export const registrationAcceptedSchema = z.object({ message: z.string() });
export type RegistrationAccepted = z.infer<typeof registrationAcceptedSchema>;

export const passwordResetRequestSchema = z.object({ email: emailSchema }).strict();
export const passwordResetConfirmSchema = z
  .object({ token: z.string().min(1).max(512), password: passwordSchema })
  .strict();

// ── Sub-users ───────────────────────────────────────────────────────────────────────────────────

export const subuserSchema = z.object({
  userId: z.uuid(),
  email: z.string(),
  permissions: z.array(permissionSchema),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Subuser = z.infer<typeof subuserSchema>;

export const inviteSubuserRequestSchema = z.object({ email: emailSchema, permissions: permissionSetSchema }).strict();
export type InviteSubuserRequest = z.infer<typeof inviteSubuserRequestSchema>;

export const updateSubuserRequestSchema = z.object({ permissions: permissionSetSchema }).strict();
export type UpdateSubuserRequest = z.infer<typeof updateSubuserRequestSchema>;

export const permissionInfoSchema = z.object({ key: permissionSchema, description: z.string() });
export type PermissionInfo = z.infer<typeof permissionInfoSchema>;

// ── API keys ────────────────────────────────────────────────────────────────────────────────────

/** Every key starts with this, so it is told apart from an access token before any lookup. */
export const API_KEY_PREFIX = 'bp_';

/** An IPv4 or IPv6 address or CIDR block. */
const ipOrCidr = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

export const createApiKeyRequestSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters')
      .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters'),
    permissions: permissionSetSchema,
    expiresAt: timestamp.optional(),
    allowedIps: z.array(ipOrCidr).max(32).optional(),
  })
  .strict();
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  /** The first characters of the key, to recognise it; the rest is never shown again. */
  prefix: z.string(),
  permissions: z.array(permissionSchema),
  allowedIps: z.array(z.string()),
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
  lastUsedFrom: z.string().nullable(),
  createdAt: timestamp,
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The answer to creating a key: the only time the secret is shown. */
export const createdApiKeySchema = z.object({ apiKey: apiKeySchema, secret: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

// ── Admin API ───────────────────────────────────────────────────────────────────────────────────

export const adminUserSchema = userSchema.extend({
  status: z.enum(accountStatuses),
  suspendedReason: z.string().nullable(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

export const adminUsersQuerySchema = pageQuerySchema.extend({ q: z.string().trim().max(254).optional() }).strict();
export type AdminUsersQuery = z.infer<typeof adminUsersQuerySchema>;

export const adminUserPageSchema = z.object({
  users: z.array(adminUserSchema),
  nextCursor: pageCursorSchema.nullable(),
});
export type AdminUserPage = z.infer<typeof adminUserPageSchema>;

export const updateUserRequestSchema = z.object({ role: z.enum(roles) }).strict();
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

export const suspendUserRequestSchema = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();
export type SuspendUserRequest = z.infer<typeof suspendUserRequestSchema>;

export const adminServersQuerySchema = pageQuerySchema.extend({ ownerId: z.uuid().optional() }).strict();
export type AdminServersQuery = z.infer<typeof adminServersQuerySchema>;

export const adminServerPageSchema = z.object({
  servers: z.array(serverSchema.extend({ ownerEmail: z.string().nullable() })),
  nextCursor: pageCursorSchema.nullable(),
});
export type AdminServerPage = z.infer<typeof adminServerPageSchema>;

// ── Activity log ────────────────────────────────────────────────────────────────────────────────

/**
 * Every action the activity log records: `noun.verb`, one per state-changing route or socket event.
 * Append only: the log stores an action as text, checked against this list when an entry is consumed
 * and again when it is read back, so a new action needs no migration and a removed one breaks old pages.
 */
export const activityActions = [
  'server.create',
  'server.power',
  'server.delete',
  'subuser.create',
  'subuser.update',
  'subuser.delete',
  'apikey.create',
  'apikey.revoke',
  'admin.user.update',
  'admin.user.quota',
  'admin.user.suspend',
  'admin.user.unsuspend',
  'console.command',
  'file.write',
  'file.upload',
  'file.mkdir',
  'file.rename',
  'file.copy',
  'file.delete',
  'file.chmod',
  'file.compress',
  'file.extract',
] as const;
export type ActivityAction = (typeof activityActions)[number];

/** Who did it, from where, what, on which server, when. */
export const activityEntrySchema = z.object({
  id: z.uuid(),
  occurredAt: timestamp,
  action: z.enum(activityActions),
  actorId: z.uuid(),
  apiKeyId: z.uuid().nullable(),
  source: z.string().max(64),
  serverId: z.uuid().nullable(),
  /** The account the action was about (a sub-user, a suspended user), if any. */
  subjectUserId: z.uuid().nullable(),
  /** What was asked (the power action, the granted permissions, the command): never secrets. */
  details: z.record(z.string(), z.unknown()),
});
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

export const activityPageSchema = z.object({
  entries: z.array(activityEntrySchema),
  nextCursor: pageCursorSchema.nullable(),
});
export type ActivityPage = z.infer<typeof activityPageSchema>;

export const adminActivityQuerySchema = pageQuerySchema
  .extend({ actorId: z.uuid().optional(), serverId: z.uuid().optional() })
  .strict();
export type AdminActivityQuery = z.infer<typeof adminActivityQuerySchema>;

// ── The API describing itself ──────────────────────────────────────────────────────────────────

/** What a server-scoped route or event needs: any access, the owner, a permission, or one picked by a body field. */
export const accessNeedSchema = z.union([
  z.enum(['any', 'owner']),
  permissionSchema,
  z.object({ field: z.string(), permissions: z.record(z.string(), permissionSchema) }),
]);
export type AccessNeed = z.infer<typeof accessNeedSchema>;

/** The one access rule a route or socket event declares (see the gateway's README, "Access"). */
export const accessRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('public') }),
  z.object({ kind: z.literal('signed-in'), apiKeys: z.boolean() }),
  z.object({ kind: z.literal('admin') }),
  z.object({ kind: z.literal('server'), need: accessNeedSchema }),
]);
export type AccessRuleInfo = z.infer<typeof accessRuleSchema>;

export const apiRouteSchema = z.object({
  method: z.string(),
  /** As the router matches it: `/api/v1/servers/:id/power`. */
  path: z.string(),
  rule: accessRuleSchema,
  /** What the activity log records after a success; null for a route that changes nothing. */
  activity: z.enum(activityActions).nullable(),
});
export type ApiRoute = z.infer<typeof apiRouteSchema>;

export const socketEventInfoSchema = z.object({
  event: z.string(),
  rule: accessRuleSchema,
  activity: z.enum(activityActions).nullable(),
});
export type SocketEventInfo = z.infer<typeof socketEventInfoSchema>;

/** `GET /api/v1/routes`: every route and socket event the gateway serves, with its rule, enumerated from the app. */
export const apiCatalogueSchema = z.object({
  routes: z.array(apiRouteSchema),
  socketEvents: z.array(socketEventInfoSchema),
});
export type ApiCatalogue = z.infer<typeof apiCatalogueSchema>;
