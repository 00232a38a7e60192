import { Inject, Injectable } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EnsureRequestContext } from '@mikro-orm/decorators/legacy';
import { EntityManager } from '@mikro-orm/postgresql';
import type { QuotaDefaultsConfig } from '@blockplane/config';
import { type Actor, DomainError, type Quota, type RegisterRequest, type User } from '@blockplane/contracts';
import { Outbox } from '@blockplane/database';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

export const QUOTA_DEFAULTS = Symbol('QuotaDefaults');

@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly outbox: Outbox,
    @Inject(QUOTA_DEFAULTS) private readonly defaultQuota: QuotaDefaultsConfig,
  ) {}

  async register({ email, password }: RegisterRequest): Promise<User> {
    // Hashed before the email is checked, so a taken email answers as slowly as a free one.
    const passwordHash = await this.hasher.hash(password);
    try {
      return await this.em.transactional(async () => {
        const user = this.users.add({ email, passwordHash, role: 'user', quota: this.defaultQuota });
        this.outbox.stage('user.registered', user.registeredEvent());
        return user.view();
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new DomainError('CONFLICT', 'an account with this email already exists');
      }
      throw error;
    }
  }

  @EnsureRequestContext()
  async me(actor: Actor): Promise<User> {
    const user = await this.users.findById(actor.userId);
    if (!user) throw notFound();
    return user.view();
  }

  async setQuota(actor: Actor, userId: string, quota: Quota): Promise<User> {
    if (actor.role !== 'admin') throw new DomainError('FORBIDDEN', 'only admins may set quotas');
    return this.em.transactional(async () => {
      const user = await this.users.findById(userId, true);
      if (!user) throw notFound();
      user.setQuota(quota);
      this.outbox.stage('user.quota-changed', { userId, quota: user.quota });
      return user.view();
    });
  }
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'account not found');
}
