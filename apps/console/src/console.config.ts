import { envTypes } from '@blockplane/config';
import { CONSOLE_BACKLOG_MAX, CONSOLE_COMMAND_MAX_LENGTH } from '@blockplane/contracts';
import { z } from 'zod';

const atMost = (max: number) => (n: number) => n <= max;

/** Where the game servers run, and the limits of their consoles. */
export const consoleSection = z
  .object({
    KUBECONFIG: envTypes.kubeconfig(),
    GAME_NAMESPACE: envTypes.namespace('blockplane-games'),
    // 0: the pod's container port named `rcon`. A simulator that moved its ports says where RCON really answers.
    RCON_PORT: envTypes.port(0),
    CONSOLE_BACKLOG_LINES: envTypes
      .integer(150, 0)
      .refine(atMost(CONSOLE_BACKLOG_MAX), `expected at most ${CONSOLE_BACKLOG_MAX}`),
    // Lines kept per watched server: joins replay from it, gateways fill gaps from it.
    CONSOLE_RING_LINES: envTypes.integer(500, 1),
    CONSOLE_FRAME_MS: envTypes.integer(50, 1),
    CONSOLE_FLOOD_LINES: envTypes.integer(2_000, 1),
    CONSOLE_FLOOD_WINDOW_MS: envTypes.integer(100, 1),
    CONSOLE_LEASE_MS: envTypes.integer(15_000, 1_000),
    CONSOLE_STATS_INTERVAL_MS: envTypes.integer(5_000, 100),
    COMMAND_MAX_LENGTH: envTypes
      .integer(CONSOLE_COMMAND_MAX_LENGTH, 1)
      .refine(atMost(CONSOLE_COMMAND_MAX_LENGTH), `expected at most ${CONSOLE_COMMAND_MAX_LENGTH}`),
    COMMAND_BURST: envTypes.integer(10, 1),
    // One more command is allowed every this many milliseconds, up to the burst.
    COMMAND_REFILL_MS: envTypes.integer(1_000, 1),
    COMMAND_TIMEOUT_MS: envTypes.integer(5_000, 100),
  })
  .refine((e) => e.CONSOLE_RING_LINES >= e.CONSOLE_BACKLOG_LINES, {
    message: 'must hold at least CONSOLE_BACKLOG_LINES lines',
    path: ['CONSOLE_RING_LINES'],
  })
  .transform((e) => ({
    kubeconfig: e.KUBECONFIG,
    namespace: e.GAME_NAMESPACE,
    rconPort: e.RCON_PORT === 0 ? undefined : e.RCON_PORT,
    backlogLines: e.CONSOLE_BACKLOG_LINES,
    ringLines: e.CONSOLE_RING_LINES,
    frameMs: e.CONSOLE_FRAME_MS,
    flood: { lines: e.CONSOLE_FLOOD_LINES, windowMs: e.CONSOLE_FLOOD_WINDOW_MS },
    leaseMs: e.CONSOLE_LEASE_MS,
    statsIntervalMs: e.CONSOLE_STATS_INTERVAL_MS,
    commands: {
      maxLength: e.COMMAND_MAX_LENGTH,
      burst: e.COMMAND_BURST,
      refillMs: e.COMMAND_REFILL_MS,
      timeoutMs: e.COMMAND_TIMEOUT_MS,
    },
  }));
export type ConsoleConfig = z.output<typeof consoleSection>;

export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
