import { Inject, Injectable } from '@nestjs/common';
import { EnsureRequestContext } from '@mikro-orm/decorators/legacy';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { DomainError, type LoginRequest, type Session } from '@blockplane/contracts';
import { ACCESS_TOKEN_TTL_SECONDS, SigningKeysService } from '../keys/signing-keys.service.js';
import { addressKey } from '../rate-limits/address-key.js';
import { type Bucket, RATE_LIMITS, RateLimiter, type Source } from '../rate-limits/rate-limiter.js';
import type { RateLimitsConfig } from '../rate-limits/rate-limits.section.js';
import { PasswordHasher } from '../users/password-hasher.js';
import { accountSuspended } from '../users/account-errors.js';
import type { User } from '../users/user.entity.js';
import { UserRepository } from '../users/user.repository.js';
import { type IssuedRefreshToken, RefreshTokenRepository } from './refresh-token.repository.js';
import type { SessionsConfig } from './sessions.section.js';

export const SESSIONS_CONFIG = Symbol('SessionsConfig');

type Rotation = { ok: true; user: User; refresh: IssuedRefreshToken } | { ok: false; error: DomainError };

const invalidRefreshToken = () => new DomainError('UNAUTHENTICATED', 'invalid or expired refresh token');

/** Logins, refresh-token rotation with reuse detection, logout. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UserRepository,
    private readonly tokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly keys: SigningKeysService,
    private readonly limiter: RateLimiter,
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    @Inject(RATE_LIMITS) private readonly limits: RateLimitsConfig,
  ) {}

  /** Keyed by the email as given, so a limited answer is the same for accounts that do not exist. */
  @EnsureRequestContext()
  async login({ email, password, source }: LoginRequest & Source): Promise<Session> {
    const { perSource, failuresPerAccountSource, failuresPerAccount } = this.limits.login;
    const address = addressKey(source);
    await this.limiter.consume({ kind: 'login-source', key: address, rule: perSource });
    const failures: Bucket[] = [
      { kind: 'login-failed-account-source', key: `${email} ${address}`, rule: failuresPerAccountSource },
      { kind: 'login-failed-account', key: email, rule: failuresPerAccount },
    ];
    await this.limiter.reserve(failures);
    const user = await this.users.findByEmail(email);
    if (!(await this.hasher.verify(user?.passwordHash, password)) || !user) {
      throw new DomainError('UNAUTHENTICATED', 'invalid email or password');
    }
    await this.limiter.refund(failures);
    if (user.status === 'suspended') throw accountSuspended();
    const refresh = await this.em.transactional(async () => this.tokens.issue(user, randomUUID(), this.expiry()));
    return this.session(user, refresh);
  }

  /** Only failures count against the caller's address: a valid token is 256 random bits nobody guesses. */
  async refresh({ refreshToken, source }: { refreshToken: string } & Source): Promise<Session> {
    const failures: Bucket[] = [
      { kind: 'refresh-failed-source', key: addressKey(source), rule: this.limits.refresh.failuresPerSource },
    ];
    await this.limiter.reserve(failures);
    // Not one transaction with the error: a detected reuse must commit the family's revocation.
    const rotation = await this.em.transactional(async (): Promise<Rotation> => {
      const presented = await this.tokens.findForUpdate(refreshToken);
      if (!presented || presented.expiresAt <= new Date()) return { ok: false, error: invalidRefreshToken() };
      const user = await this.users.findById(presented.user.id);
      if (!user) return { ok: false, error: invalidRefreshToken() };
      // The holder of one of its tokens learns why the session ended (suspension revoked it).
      if (user.status === 'suspended') return { ok: false, error: accountSuspended() };
      if (presented.revokedAt) return { ok: false, error: invalidRefreshToken() };
      if (presented.replacedBy) {
        await this.tokens.revokeFamily(presented.familyId);
        return { ok: false, error: invalidRefreshToken() };
      }
      const refresh = this.tokens.issue(user, presented.familyId, this.expiry());
      presented.replacedBy = refresh.row.id;
      return { ok: true, user, refresh };
    });
    if (!rotation.ok) throw rotation.error;
    await this.limiter.refund(failures);
    return this.session(rotation.user, rotation.refresh);
  }

  /** Ends the login the token belongs to; an unknown token is already logged out. */
  async logout(token: string): Promise<void> {
    await this.em.transactional(async () => {
      const presented = await this.tokens.find(token);
      if (presented) await this.tokens.revokeFamily(presented.familyId);
    });
  }

  private expiry(): Date {
    return new Date(Date.now() + this.config.refreshTokenTtlDays * 24 * 3600 * 1000);
  }

  private async session(user: User, refresh: IssuedRefreshToken): Promise<Session> {
    return {
      accessToken: await this.keys.sign(user),
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.row.expiresAt.toISOString(),
      user: user.view(),
    };
  }
}
