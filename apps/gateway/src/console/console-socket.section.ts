import { envTypes } from '@blockplane/config';
import { CONSOLE_BACKLOG_MAX } from '@blockplane/contracts';
import { z } from 'zod';

/**
 * The console socket: how many lines a join replays, how long before a token's end its viewer is told, and
 * how far behind a viewer may fall before its output is skipped.
 */
export const consoleSocketSection = z
  .object({
    // The console service reads the same variable: one setting for the lines a viewer gets on joining.
    CONSOLE_BACKLOG_LINES: envTypes
      .integer(150, 0)
      .refine((n) => n <= CONSOLE_BACKLOG_MAX, `expected at most ${CONSOLE_BACKLOG_MAX}`),
    CONSOLE_TOKEN_NOTICE_SECONDS: envTypes.integer(60, 1),
    // Past this (beyond its round trip) a viewer that acknowledges is skipped: a line it is sent waits at most
    // this long behind the ones before it. A second: at 100 ms, viewers that keep up on a busy machine lost
    // lines of a 2,000 lines/s console; losing none up to that rate matters more than a tighter bound.
    CONSOLE_VIEWER_MAX_LAG_MS: envTypes.integer(1000, 1),
  })
  .transform((e) => ({
    backlogLines: e.CONSOLE_BACKLOG_LINES,
    tokenNoticeMs: e.CONSOLE_TOKEN_NOTICE_SECONDS * 1000,
    viewerMaxLagMs: e.CONSOLE_VIEWER_MAX_LAG_MS,
  }));
export type ConsoleSocketConfig = z.output<typeof consoleSocketSection>;

export const CONSOLE_SOCKET_CONFIG = Symbol('CONSOLE_SOCKET_CONFIG');
