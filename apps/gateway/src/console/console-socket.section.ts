import { envTypes } from '@blockplane/config';
import { CONSOLE_BACKLOG_MAX } from '@blockplane/contracts';
import { z } from 'zod';

/** The console socket: how many lines a join replays, and how long before a token's end its viewer is told. */
export const consoleSocketSection = z
  .object({
    // The console service reads the same variable: one setting for the lines a viewer gets on joining.
    CONSOLE_BACKLOG_LINES: envTypes
      .integer(150, 0)
      .refine((n) => n <= CONSOLE_BACKLOG_MAX, `expected at most ${CONSOLE_BACKLOG_MAX}`),
    CONSOLE_TOKEN_NOTICE_SECONDS: envTypes.integer(60, 1),
  })
  .transform((e) => ({ backlogLines: e.CONSOLE_BACKLOG_LINES, tokenNoticeMs: e.CONSOLE_TOKEN_NOTICE_SECONDS * 1000 }));
export type ConsoleSocketConfig = z.output<typeof consoleSocketSection>;

export const CONSOLE_SOCKET_CONFIG = Symbol('CONSOLE_SOCKET_CONFIG');
