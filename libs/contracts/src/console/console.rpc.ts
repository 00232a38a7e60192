import { z } from 'zod';
import { actorSchema } from '../auth/actor.js';
import { consoleEpochSchema, consoleLineSchema, consoleStatusSchema } from './console.frames.js';
import { commandResultSchema, consoleCommandSchema } from './console.protocol.js';

/** The most backlog lines a caller may ask for; the service gives at most what its ring holds. */
export const CONSOLE_BACKLOG_MAX = 1000;

/**
 * A gateway replica that holds viewers: leases are per holder, so one replica's exit frees only its own.
 * It names the holder's live subject, so it is one NATS subject token (no ".", no wildcards).
 */
const holder = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1 to 64 letters, digits, "_" or "-"');

/** Where a caller's copy of the stream ends: the lines after it are sent if the ring still has them. */
const position = z.object({ epoch: consoleEpochSchema, seq: z.int().nonnegative() }).strict();

export const consoleBacklogSchema = z.object({
  serverId: z.uuid(),
  epoch: consoleEpochSchema,
  lines: z.array(consoleLineSchema),
  /** False when `after` was given but lines after it are gone (older than the ring, or another epoch). */
  complete: z.boolean(),
  status: consoleStatusSchema,
  /** Renew before this many milliseconds pass, or the lease ends. */
  leaseMs: z.int().positive(),
});
export type ConsoleBacklog = z.infer<typeof consoleBacklogSchema>;

/** The console service's request/reply subjects (merged into the RPC catalogue). */
export const consoleRpcCatalogue = {
  /**
   * Takes (or renews) `holder`'s lease on the server's stream, opening the one upstream stream if it is
   * the first lease, and answers the last `lines` lines (default: the ring's size), or those after `after`.
   */
  'console.attach': {
    request: z
      .object({
        holder,
        serverId: z.uuid(),
        lines: z.int().min(0).max(CONSOLE_BACKLOG_MAX).optional(),
        after: position.optional(),
      })
      .strict(),
    response: consoleBacklogSchema,
  },
  /** Renews every lease of `holder` at once; `lost` lists the servers it holds no lease on (attach again). */
  'console.renew': {
    request: z.object({ holder, serverIds: z.array(z.uuid()).max(10_000) }).strict(),
    response: z.object({ lost: z.array(z.uuid()) }),
  },
  /** Ends `holder`'s lease; the upstream stream closes with the last lease. */
  'console.detach': {
    request: z.object({ holder, serverId: z.uuid() }).strict(),
    response: z.object({}).strict(),
  },
  /**
   * Runs a command on the server's console for `actor` (who needs `control.command`), rate-limited per user
   * and server and written to the activity log; `source` is the caller's address.
   */
  'console.command': {
    request: z
      .object({ actor: actorSchema, source: z.string().max(64), serverId: z.uuid(), command: consoleCommandSchema })
      .strict(),
    response: commandResultSchema,
  },
} as const;
