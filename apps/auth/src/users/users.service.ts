import { Inject, Injectable } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EnsureRequestContext } from '@mikro-orm/decorators/legacy';
import { EntityManager } from '@mikro-orm/postgresql';
import type { QuotaDefaultsConfig } from '@blockplane/config';
import type { Actor, Principal, RegisterRequest, RegistrationAccepted, User } from '@blockplane/contracts';
import { Outbox } from '@blockplane/database';
import { addressKey } from '../rate-limits/address-key.js';
import { RATE_LIMITS, RateLimiter, type Source } from '../rate-limits/rate-limiter.js';
import type { RateLimitsConfig } from '../rate-limits/rate-limits.section.js';
import { accountNotFound } from './account-errors.js';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

export const QUOTA_DEFAULTS = Symbol('QuotaDefaults');

/** One answer for a new and a taken email, so registration never tells which addresses have accounts. */
export const REGISTRATION_ACCEPTED: RegistrationAccepted = {
  message: 'If this email can be used, the account is ready: log in with it.',
};

@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly outbox: Outbox,
    private readonly limiter: RateLimiter,
    @Inject(QUOTA_DEFAULTS) private readonly defaultQuota: QuotaDefaultsConfig,
    @Inject(RATE_LIMITS) private readonly limits: RateLimitsConfig,
  ) {}

  async register({ email, password, source }: RegisterRequest & Source): Promise<RegistrationAccepted> {
    await this.limiter.consume({
      kind: 'register-source',
      key: addressKey(source),
      rule: this.limits.register.perSource,
    });
    await this.limiter.consume({ kind: 'register-email', key: email, rule: this.limits.register.perEmail });
    // Hashed before the email is checked, so a taken email answers as slowly as a free one.
    const passwordHash = await this.hasher.hash(password);
    try {
      await this.em.transactional(async () => {
        const user = this.users.add({ email, passwordHash, role: 'user', quota: this.defaultQuota });
        this.outbox.stage('user.registered', user.registeredEvent());
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
    return REGISTRATION_ACCEPTED;
  }

  @EnsureRequestContext()
  async me(actor: Actor): Promise<User> {
    const user = await this.users.findById(actor.userId);
    if (!user) throw accountNotFound();
    return user.view();
  }

  @EnsureRequestContext()
  async principal(userId: string): Promise<Principal> {
    const principal = await this.users.principal(userId);
    if (!principal) throw accountNotFound();
    return principal;
  }
}
