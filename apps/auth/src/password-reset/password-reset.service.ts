import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@blockplane/contracts';
import { LOGGER, type Logger } from '@blockplane/observability';
import { addressKey } from '../rate-limits/address-key.js';
import { type Bucket, RATE_LIMITS, RateLimiter, type Source } from '../rate-limits/rate-limiter.js';
import type { RateLimitsConfig } from '../rate-limits/rate-limits.section.js';
import { RefreshTokenRepository } from '../sessions/refresh-token.repository.js';
import { PasswordHasher } from '../users/password-hasher.js';
import { UserRepository } from '../users/user.repository.js';
import { MAILER, type Mailer, PASSWORD_RESET_CONFIG } from './mailer.js';
import { PasswordResetTokenRepository } from './password-reset-token.repository.js';
import type { PasswordResetConfig } from './password-reset.section.js';

/** Forgotten passwords: a single-use link by mail, then a new password that ends every session. */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UserRepository,
    private readonly resetTokens: PasswordResetTokenRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly limiter: RateLimiter,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(RATE_LIMITS) private readonly limits: RateLimitsConfig,
    @Inject(PASSWORD_RESET_CONFIG) private readonly config: PasswordResetConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Answers alike whether or not the email has an account; only an active account gets a link. */
  async request({ email, source }: { email: string } & Source): Promise<void> {
    const { perSource, perEmail } = this.limits.passwordReset;
    await this.limiter.consume({ kind: 'password-reset-source', key: addressKey(source), rule: perSource });
    await this.limiter.consume({ kind: 'password-reset-email', key: email, rule: perEmail });
    const token = await this.em.transactional(async () => {
      const user = await this.users.findByEmail(email);
      if (!user || user.status !== 'active') return null;
      // One live link per account: a new request voids the previous one.
      await this.resetTokens.deleteAllOf(user.id);
      return this.resetTokens.issue(user, new Date(Date.now() + this.config.ttlMinutes * 60_000));
    });
    // Not awaited: the answer must not take longer when a mail goes out.
    if (token) void this.send(email, token);
  }

  async confirm({ token, password, source }: { token: string; password: string } & Source): Promise<void> {
    const failures: Bucket[] = [
      {
        kind: 'password-reset-failed-source',
        key: addressKey(source),
        rule: this.limits.passwordReset.failuresPerSource,
      },
    ];
    await this.limiter.reserve(failures);
    const passwordHash = await this.hasher.hash(password);
    const changed = await this.em.transactional(async () => {
      const presented = await this.resetTokens.find(token);
      if (!presented) return false;
      // The account's row first, as every transaction that changes an account locks it.
      const user = await this.users.findById(presented.user.id, true);
      // Single use: of two concurrent uses, the second finds it taken. Expired links go too.
      if (!user || !(await this.resetTokens.take(presented.id))) return false;
      if (presented.expiresAt <= new Date() || user.status !== 'active') return false;
      user.passwordHash = passwordHash;
      await this.refreshTokens.revokeAllOf(user.id);
      await this.resetTokens.deleteAllOf(user.id);
      return true;
    });
    if (!changed) throw new DomainError('VALIDATION_FAILED', 'the reset link is invalid or has expired');
    await this.limiter.refund(failures);
  }

  private async send(email: string, token: string): Promise<void> {
    try {
      await this.mailer.sendPasswordReset({ email, token });
    } catch (error) {
      this.logger.error({ err: error }, 'password reset mail could not be sent');
    }
  }
}
