import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { waitFor } from '@blockplane/testing';
import { type AuthHarness, startAuth, strongPassword, uniqueEmail, uniqueSource } from '../auth-test.spec-support.js';
import { RATE_LIMITS, RateLimiter } from './rate-limiter.js';
import type { RateLimitsConfig, RateRule } from './rate-limits.section.js';

// Smaller than the defaults, so a test reaches each limit in a few attempts; the assertions read them back.
const env = {
  RATE_LIMIT_LOGIN_PER_SOURCE: '12/15m',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE: '3/15m',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '7/15m',
  RATE_LIMIT_REFRESH_FAILURES_PER_SOURCE: '3/15m',
  RATE_LIMIT_REGISTER_PER_SOURCE: '4/1h',
  RATE_LIMIT_REGISTER_PER_EMAIL: '2/1h',
  RATE_LIMIT_PASSWORD_RESET_PER_EMAIL: '2/1h',
  RATE_LIMIT_PASSWORD_RESET_FAILURES_PER_SOURCE: '2/15m',
};

describe('rate limits shared through PostgreSQL', () => {
  let auth: AuthHarness;
  let limits: RateLimitsConfig;

  beforeAll(async () => {
    auth = await startAuth({ env });
    limits = auth.service.app.get<RateLimitsConfig>(RATE_LIMITS);
  });
  afterAll(() => auth.close());

  const login = (email: string, password: string, source: string) =>
    auth.rpc.request('auth.login', { email, password, source });
  const outcome = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 'ok',
      (error: { code?: string }) => error.code,
    );

  /** Expects RATE_LIMITED with a Retry-After within the rule's window. */
  async function expectLimited(attempt: Promise<unknown>, rule: RateRule) {
    const error = await attempt.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: 'too many attempts, try again later' });
    const { retryAfterSeconds } = (error as { details: { retryAfterSeconds: number } }).details;
    expect(retryAfterSeconds).toBeGreaterThan(0);
    expect(retryAfterSeconds).toBeLessThanOrEqual(rule.windowSeconds);
  }

  it('reads its limits from the environment', () => {
    expect(limits.login).toEqual({
      perSource: { limit: 12, windowSeconds: 900 },
      failuresPerAccountSource: { limit: 3, windowSeconds: 900 },
      failuresPerAccount: { limit: 7, windowSeconds: 900 },
    });
  });

  it('stops an attacker’s address, not the victim’s, nor other users behind the attacker’s address', async () => {
    const victim = (await auth.signUp()).user.email;
    const neighbour = (await auth.signUp()).user.email;
    const attacker = uniqueSource();
    let attemptsFromAttacker = 0;
    const fromAttacker = (email: string, password: string) => {
      attemptsFromAttacker++;
      return login(email, password, attacker);
    };

    for (let i = 0; i < limits.login.failuresPerAccountSource.limit; i++) {
      expect(await outcome(fromAttacker(victim, `guess number ${i}`))).toBe('UNAUTHENTICATED');
    }
    await expectLimited(fromAttacker(victim, 'one guess too many'), limits.login.failuresPerAccountSource);
    // Even the right password is refused from there: the address is what is limited.
    await expectLimited(fromAttacker(victim, strongPassword), limits.login.failuresPerAccountSource);

    // The victim, from their own address, is not locked out.
    expect((await login(victim, strongPassword, uniqueSource())).user.email).toBe(victim);

    // Someone else behind the attacker's address meets only the per-address limit on all attempts.
    while (attemptsFromAttacker < limits.login.perSource.limit) {
      expect(await outcome(fromAttacker(neighbour, strongPassword))).toBe('ok');
    }
    await expectLimited(fromAttacker(neighbour, strongPassword), limits.login.perSource);
  });

  it('counts all the addresses of one IPv6 /64 as one', async () => {
    const victim = (await auth.signUp()).user.email;
    const home = uniqueSource();
    const rotating = (i: number) => home.replace(/::1$/, `:${(i + 1).toString(16)}::${i + 7}`);
    const { failuresPerAccountSource } = limits.login;
    for (let i = 0; i < failuresPerAccountSource.limit; i++) {
      expect(await outcome(login(victim, `guess number ${i}`, rotating(i)))).toBe('UNAUTHENTICATED');
    }
    await expectLimited(login(victim, 'one guess too many', rotating(99)), failuresPerAccountSource);
  });

  it('stops guessing at one account spread over many addresses', async () => {
    const victim = (await auth.signUp()).user.email;
    const { failuresPerAccount, failuresPerAccountSource } = limits.login;
    const sources = Array.from(
      { length: Math.ceil(failuresPerAccount.limit / failuresPerAccountSource.limit) },
      uniqueSource,
    );
    for (let i = 0; i < failuresPerAccount.limit; i++) {
      const source = sources[Math.floor(i / failuresPerAccountSource.limit)] ?? '';
      expect(await outcome(login(victim, `guess number ${i}`, source))).toBe('UNAUTHENTICATED');
    }
    await expectLimited(login(victim, 'one guess too many', uniqueSource()), failuresPerAccount);
  });

  it('counts failures only: the owner logging in often is never limited by the failure limits', async () => {
    const { email } = (await auth.signUp()).user;
    const source = uniqueSource();
    for (let i = 0; i <= limits.login.failuresPerAccountSource.limit; i++) {
      expect(await outcome(login(email, strongPassword, source))).toBe('ok');
    }
  });

  it('limits an account that does not exist exactly like one that does', async () => {
    const existing = (await auth.signUp()).user.email;
    const unknown = uniqueEmail();
    const answers = async (email: string) => {
      const source = uniqueSource();
      const seen = [];
      for (let i = 0; i <= limits.login.failuresPerAccountSource.limit; i++) {
        seen.push(
          await login(email, 'not the password', source).catch((error: { toBody(): unknown }) => error.toBody()),
        );
      }
      return seen;
    };
    const forExisting = await answers(existing);
    const forUnknown = await answers(unknown);
    expect(stripRetryAfter(forUnknown)).toEqual(stripRetryAfter(forExisting));
    expect(forExisting.at(-1)).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('limits registrations per address and per email, alike for taken and free emails', async () => {
    const { perEmail, perSource } = limits.register;
    const taken = (await auth.signUp()).user.email;
    const free = uniqueEmail();
    const register = (email: string, source = uniqueSource()) =>
      auth.rpc.request('auth.register', { email, password: strongPassword, source });
    for (const email of [taken, free]) {
      // signUp already registered `taken` once.
      for (let i = email === taken ? 1 : 0; i < perEmail.limit; i++) {
        expect(await register(email)).toMatchObject({ message: expect.any(String) });
      }
      await expectLimited(register(email), perEmail);
    }

    const source = uniqueSource();
    for (let i = 0; i < perSource.limit; i++) await register(uniqueEmail(), source);
    await expectLimited(register(uniqueEmail(), source), perSource);
  });

  it('limits reset mails per email alike for taken and free emails, and failed resets per address', async () => {
    const { perEmail, failuresPerSource } = limits.passwordReset;
    const requestReset = (email: string) =>
      auth.rpc.request('auth.password-reset.request', { email, source: uniqueSource() });
    for (const email of [(await auth.signUp()).user.email, uniqueEmail()]) {
      for (let i = 0; i < perEmail.limit; i++) expect(await requestReset(email)).toEqual({});
      await expectLimited(requestReset(email), perEmail);
    }

    const source = uniqueSource();
    const confirm = (token: string) =>
      auth.rpc.request('auth.password-reset.confirm', { token, password: strongPassword, source });
    for (let i = 0; i < failuresPerSource.limit; i++) {
      expect(await outcome(confirm(`not-a-token-${i}`))).toBe('VALIDATION_FAILED');
    }
    await expectLimited(confirm('one too many'), failuresPerSource);
  });

  it('limits failed refreshes per address, and lets valid ones through', async () => {
    const session = await auth.signUp();
    const source = uniqueSource();
    const refresh = (refreshToken: string) => auth.rpc.request('auth.refresh', { refreshToken, source });
    for (let i = 0; i < limits.refresh.failuresPerSource.limit - 1; i++) {
      expect(await outcome(refresh(`not-a-token-${i}`))).toBe('UNAUTHENTICATED');
    }
    expect((await refresh(session.refreshToken)).user.id).toBe(session.user.id);
    expect(await outcome(refresh('not-a-token-either'))).toBe('UNAUTHENTICATED');
    await expectLimited(refresh('one too many'), limits.refresh.failuresPerSource);
  });

  it('starts a new window when one ends, and prunes ended windows', async () => {
    const limiter = auth.service.app.get(RateLimiter);
    const em = auth.service.app.get(MikroORM).em;
    const bucket = { kind: 'spec', key: randomUUID(), rule: { limit: 1, windowSeconds: 1 } };
    const stored = async () =>
      (
        await em
          .getConnection()
          .execute<{ n: number }[]>('select count(*)::int as n from auth.rate_limit where key = ?', [
            `spec:${bucket.key}`,
          ])
      )[0]?.n;

    await limiter.consume(bucket);
    await expectLimited(limiter.consume(bucket), bucket.rule);
    await waitFor('the window to end and the counter to be pruned', async () => {
      await limiter.prune();
      return (await stored()) === 0;
    });
    await limiter.consume(bucket);
    expect(await stored()).toBe(1);
  });
});

/** The seconds left differ between two runs of the same sequence; everything else must not. */
function stripRetryAfter(bodies: unknown[]): unknown[] {
  return bodies.map((body) =>
    typeof body === 'object' && body !== null && 'details' in body ? { ...body, details: 'retry-after' } : body,
  );
}
