import { z } from 'zod';
import { roles } from '../auth/actor.js';

/** Emails are trimmed and lower-cased before anything else: one account per mailbox. */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an email address'));

/** ASVS 5: length, not character classes. */
export const passwordSchema = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(256, 'must be at most 256 characters');

export const registerRequestSchema = z.object({ email: emailSchema, password: passwordSchema }).strict();
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

/** Login does not apply the password policy: a wrong password is just wrong. */
export const loginRequestSchema = z.object({ email: emailSchema, password: z.string().min(1).max(256) }).strict();
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** Browsers send the refresh token as a cookie; API clients in the body. */
export const refreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(512).optional() }).strict();
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const quotaSchema = z
  .object({
    maxServers: z.int().min(0).max(10_000),
    maxCpuCores: z.number().min(0).max(10_000),
    maxMemoryMb: z.int().min(0).max(100_000_000),
    maxDiskGb: z.int().min(0).max(10_000_000),
  })
  .strict();
export type Quota = z.infer<typeof quotaSchema>;

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(roles),
  quota: quotaSchema,
  createdAt: z.iso.datetime({ offset: true }),
});
export type User = z.infer<typeof userSchema>;

export const sessionSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expiresIn: z.int().positive(),
  refreshToken: z.string(),
  refreshExpiresAt: z.iso.datetime({ offset: true }),
  user: userSchema,
});
export type Session = z.infer<typeof sessionSchema>;
