import { z } from 'zod';

/** At most `limit` attempts in a fixed window of `windowSeconds`. */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

const unitSeconds = { s: 1, m: 60, h: 3600 } as const;
const ratePattern = /^([1-9]\d{0,5})\/([1-9]\d{0,4})([smh])$/;

/** `<attempts>/<window>` with the window in s, m or h: `5/15m` is five per fifteen minutes. */
const rate = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => ratePattern.test(value), 'expected <attempts>/<window> such as 5/15m (window in s, m or h)')
    .transform((value): RateRule => {
      const [, limit, count, unit] = ratePattern.exec(value) ?? [];
      return { limit: Number(limit), windowSeconds: Number(count) * unitSeconds[unit as keyof typeof unitSeconds] };
    });

/**
 * Limits shared by every auth replica (kept in PostgreSQL). Login failures count per account and
 * source (small: one attacker locks out only their own address), all attempts per source (larger:
 * one address cannot spray every account) and failures per account (large: stops guessing spread
 * over many addresses without letting one address lock the owner out). An IPv6 /64 counts as one
 * address (see `addressKey`).
 */
export const rateLimitsSection = z
  .object({
    RATE_LIMIT_LOGIN_PER_SOURCE: rate('50/15m'),
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE: rate('5/15m'),
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: rate('100/15m'),
    RATE_LIMIT_REFRESH_FAILURES_PER_SOURCE: rate('30/15m'),
    RATE_LIMIT_REGISTER_PER_SOURCE: rate('10/1h'),
    RATE_LIMIT_REGISTER_PER_EMAIL: rate('3/1h'),
    RATE_LIMIT_PASSWORD_RESET_PER_SOURCE: rate('10/1h'),
    RATE_LIMIT_PASSWORD_RESET_PER_EMAIL: rate('3/1h'),
    RATE_LIMIT_PASSWORD_RESET_FAILURES_PER_SOURCE: rate('10/15m'),
  })
  .transform((e) => ({
    login: {
      perSource: e.RATE_LIMIT_LOGIN_PER_SOURCE,
      failuresPerAccountSource: e.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE,
      failuresPerAccount: e.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT,
    },
    refresh: { failuresPerSource: e.RATE_LIMIT_REFRESH_FAILURES_PER_SOURCE },
    register: { perSource: e.RATE_LIMIT_REGISTER_PER_SOURCE, perEmail: e.RATE_LIMIT_REGISTER_PER_EMAIL },
    passwordReset: {
      perSource: e.RATE_LIMIT_PASSWORD_RESET_PER_SOURCE,
      perEmail: e.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL,
      failuresPerSource: e.RATE_LIMIT_PASSWORD_RESET_FAILURES_PER_SOURCE,
    },
  }));
export type RateLimitsConfig = z.output<typeof rateLimitsSection>;
