import { z } from 'zod';
import { envTypes } from '@blockplane/config';

export const sessionsSection = z
  .object({ REFRESH_TOKEN_TTL_DAYS: envTypes.integer(30, 1) })
  .transform((e) => ({ refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS }));
export type SessionsConfig = z.output<typeof sessionsSection>;
