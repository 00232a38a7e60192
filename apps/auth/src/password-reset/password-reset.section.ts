import { z } from 'zod';
import { envTypes } from '@blockplane/config';

export const passwordResetSection = z
  .object({
    // The page that asks for the new password; the token travels in the fragment, which browsers never send on.
    PASSWORD_RESET_URL: envTypes
      .url(['http:', 'https:'], 'https://panel.example.com/reset-password')
      .default('http://127.0.0.1:8080/reset-password'),
    PASSWORD_RESET_TTL_MINUTES: envTypes.integer(30, 1),
  })
  .transform((e) => ({ url: e.PASSWORD_RESET_URL, ttlMinutes: e.PASSWORD_RESET_TTL_MINUTES }));
export type PasswordResetConfig = z.output<typeof passwordResetSection>;
