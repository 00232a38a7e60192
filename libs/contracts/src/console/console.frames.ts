import { z } from 'zod';
import { serverStatuses } from '../api/servers.dto.js';

/**
 * One line of a server's console. `seq` counts up by one per line of a stream (`epoch`), so a gap or a
 * repeat is visible; `marker` lines tell of a container switch, `notice` lines of throttled output or of
 * the server not running; `time` is when the container wrote the line (the panel's clock for the others).
 */
export const consoleLineKinds = ['output', 'marker', 'notice'] as const;
export type ConsoleLineKind = (typeof consoleLineKinds)[number];

export const consoleLineSchema = z.object({
  seq: z.int().nonnegative(),
  time: z.iso.datetime({ offset: true }),
  kind: z.enum(consoleLineKinds),
  text: z.string(),
});
export type ConsoleLine = z.infer<typeof consoleLineSchema>;

/** Names one run of a server's upstream stream; `seq` starts again with a new epoch. */
export const consoleEpochSchema = z.string().min(1).max(64);

/** What the console service sees of the server's pod, in the servers service's words. */
export const consoleStatusSchema = z.object({
  status: z.enum(serverStatuses),
  reason: z.string().nullable(),
});
export type ConsoleStatus = z.infer<typeof consoleStatusSchema>;

/** CPU and memory from `metrics.k8s.io`, players from the server itself; null where a source has nothing. */
export const consoleStatsSchema = z.object({
  serverId: z.uuid(),
  at: z.iso.datetime({ offset: true }),
  cpuMillicores: z.number().nonnegative().nullable(),
  cpuLimitMillicores: z.number().nonnegative().nullable(),
  memoryBytes: z.number().nonnegative().nullable(),
  memoryLimitBytes: z.number().nonnegative().nullable(),
  players: z
    .object({ online: z.int().nonnegative(), max: z.int().nonnegative(), names: z.array(z.string()) })
    .nullable(),
});
export type ConsoleStats = z.infer<typeof consoleStatsSchema>;

/**
 * What the console service sends a gateway about a server it holds a lease on (core NATS, at most once; a
 * gateway that sees a gap in `seq` asks `console.attach` with `after` for the missing lines).
 */
export const consoleFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('output'),
    serverId: z.uuid(),
    epoch: consoleEpochSchema,
    lines: z.array(consoleLineSchema),
  }),
  z.object({
    type: z.literal('status'),
    serverId: z.uuid(),
    at: z.iso.datetime({ offset: true }),
    ...consoleStatusSchema.shape,
  }),
  consoleStatsSchema.extend({ type: z.literal('stats') }),
]);
export type ConsoleFrame = z.infer<typeof consoleFrameSchema>;

/**
 * One message on a holder's live subject: the frames of every server it holds that left in one turn of the
 * console's event loop, each server's in order. One message per gateway rather than one per server's frame:
 * a thousand watched servers at 20 frames a second are then about a hundred messages, not 20,000.
 */
export const consoleFrameBatchSchema = z.array(consoleFrameSchema);

/** The live subject of one lease holder's (a gateway's) frames, before the prefix (`NatsConnection.liveSubject`). */
export function consoleFramesSubject(holder: string): string {
  return `console.frames.${holder}`;
}
