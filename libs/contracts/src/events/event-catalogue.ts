import { z } from 'zod';
import { roles } from '../auth/actor.js';
import { quotaSchema } from '../api/auth.dto.js';
import { powerActions, resourcesSchema, serverStatuses, serverTypes } from '../api/servers.dto.js';
import { activityEntrySchema } from '../api/access.dto.js';

const id = z.uuid();

/** What the cluster should run for one server: the provisioner's whole input. */
export const serverSpecSchema = z.object({
  serverId: id,
  ownerId: id,
  name: z.string(),
  type: z.enum(serverTypes),
  version: z.string(),
  resources: resourcesSchema,
  desiredState: z.enum(['running', 'stopped', 'deleted']),
});
export type ServerSpec = z.infer<typeof serverSpecSchema>;

/** When the provisioner saw a change: the servers service ignores observations older than the last applied. */
const observed = { serverId: id, observedAt: z.iso.datetime({ offset: true }) };

/**
 * Every JetStream event, by subject. The subject style is `noun.past-participle`
 * (`server.requested`, `pod.ready`) for ever: a renamed event must fail to compile.
 */
export const eventCatalogue = {
  // auth → servers: what the servers service needs to know of an account.
  'user.registered': z.object({ userId: id, email: z.string(), role: z.enum(roles), quota: quotaSchema }),
  'user.quota-changed': z.object({ userId: id, quota: quotaSchema }),
  'user.role-changed': z.object({ userId: id, role: z.enum(roles) }),
  // A suspended user's servers stop; open streams of theirs close.
  'user.suspended': z.object({ userId: id, reason: z.string().nullable() }),
  'user.unsuspended': z.object({ userId: id }),

  // servers → gateways: a sub-user's rights on a server changed or ended; open streams re-check at once.
  'server.access-changed': z.object({ serverId: id, userId: id }),
  // servers → console (which tells the server's viewers): every status transition, in the panel's words,
  // staged in the transaction that made it; `at` is when it was made.
  'server.status-changed': z.object({
    serverId: id,
    status: z.enum(serverStatuses),
    reason: z.string().nullable(),
    at: z.iso.datetime({ offset: true }),
  }),
  // auth → gateways: an API key was revoked; sockets opened with it close at once.
  'apikey.revoked': z.object({ keyId: id, userId: id }),

  // gateway → servers (which keeps the log): one state-changing action, after it succeeded.
  'activity.recorded': activityEntrySchema,

  // servers → provisioner: desired state changed.
  'server.requested': z.object({ server: serverSpecSchema }),
  'server.power-requested': z.object({ server: serverSpecSchema, action: z.enum(powerActions) }),
  'server.delete-requested': z.object({ server: serverSpecSchema }),

  // provisioner → servers: what the cluster did.
  'server.provisioned': z.object(observed),
  'pod.scheduled': z.object({ ...observed, podName: z.string() }),
  'pod.pending': z.object({ ...observed, podName: z.string(), reason: z.string() }),
  'pod.ready': z.object({ ...observed, podName: z.string(), address: z.string().nullable() }),
  'pod.failed': z.object({ ...observed, podName: z.string(), reason: z.string() }),
  'server.stopped': z.object(observed),
  'server.deleted': z.object(observed),
} as const;

export type EventCatalogue = typeof eventCatalogue;
export type EventSubject = keyof EventCatalogue;
export type EventPayload<S extends EventSubject> = z.infer<EventCatalogue[S]>;

export const eventSubjects = Object.keys(eventCatalogue) as EventSubject[];

export function isEventSubject(value: string): value is EventSubject {
  return Object.hasOwn(eventCatalogue, value);
}
