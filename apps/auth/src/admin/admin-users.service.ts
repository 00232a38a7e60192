import { Injectable } from '@nestjs/common';
import { EnsureRequestContext } from '@mikro-orm/decorators/legacy';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  type Actor,
  type AdminUser,
  type AdminUserPage,
  type AdminUsersQuery,
  DomainError,
  type Quota,
  type Role,
  type User as UserView,
} from '@blockplane/contracts';
import { nextCursorOf, Outbox, positionAfter } from '@blockplane/database';
import { PasswordResetTokenRepository } from '../password-reset/password-reset-token.repository.js';
import { RefreshTokenRepository } from '../sessions/refresh-token.repository.js';
import { accountNotFound } from '../users/account-errors.js';
import type { User } from '../users/user.entity.js';
import { UserRepository } from '../users/user.repository.js';
import { requireAdmin } from './require-admin.js';

/** The admin API over accounts: list, inspect, quotas, roles, suspension. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly resetTokens: PasswordResetTokenRepository,
    private readonly outbox: Outbox,
  ) {}

  @EnsureRequestContext()
  async list(actor: Actor, { q, limit, cursor }: AdminUsersQuery): Promise<AdminUserPage> {
    requireAdmin(actor);
    const page = await this.users.page(limit, positionAfter(cursor), q);
    return { users: page.items.map((user) => user.adminView()), nextCursor: nextCursorOf(page) };
  }

  @EnsureRequestContext()
  async get(actor: Actor, userId: string): Promise<AdminUser> {
    requireAdmin(actor);
    const user = await this.users.findById(userId);
    if (!user) throw accountNotFound();
    return user.adminView();
  }

  async setQuota(actor: Actor, userId: string, quota: Quota): Promise<UserView> {
    requireAdmin(actor);
    const user = await this.change(userId, (user) => {
      user.setQuota(quota);
      this.outbox.stage('user.quota-changed', { userId, quota: user.quota });
    });
    return user.view();
  }

  async setRole(actor: Actor, userId: string, role: Role): Promise<AdminUser> {
    requireAdmin(actor);
    if (actor.userId === userId && role !== 'admin') throw conflict('you cannot demote yourself');
    const user = await this.change(userId, async (user) => {
      if (user.role === role) return;
      if (user.role === 'admin') await this.keepAnActiveAdmin(user);
      user.role = role;
      this.outbox.stage('user.role-changed', { userId, role });
    });
    return user.adminView();
  }

  /** Ends every session and reset link at once; API keys stay, refused while the account is suspended. */
  async suspend(actor: Actor, userId: string, reason: string | undefined): Promise<AdminUser> {
    requireAdmin(actor);
    if (actor.userId === userId) throw conflict('you cannot suspend yourself');
    const user = await this.change(userId, async (user) => {
      if (user.status === 'suspended') return;
      if (user.role === 'admin') await this.keepAnActiveAdmin(user);
      user.status = 'suspended';
      user.suspendedReason = reason ?? null;
      await this.refreshTokens.revokeAllOf(userId);
      await this.resetTokens.deleteAllOf(userId);
      this.outbox.stage('user.suspended', { userId, reason: user.suspendedReason });
    });
    return user.adminView();
  }

  async unsuspend(actor: Actor, userId: string): Promise<AdminUser> {
    requireAdmin(actor);
    const user = await this.change(userId, (user) => {
      if (user.status === 'active') return;
      user.status = 'active';
      user.suspendedReason = null;
      this.outbox.stage('user.unsuspended', { userId });
    });
    return user.adminView();
  }

  /** Applies `apply` to the locked account in one transaction, after any other admin change has committed. */
  private change(userId: string, apply: (user: User) => void | Promise<void>): Promise<User> {
    return this.em.transactional(async () => {
      await this.users.lockAdminChanges();
      const user = await this.users.findById(userId, true);
      if (!user) throw accountNotFound();
      await apply(user);
      return user;
    });
  }

  private async keepAnActiveAdmin(user: User): Promise<void> {
    if (user.status === 'active' && (await this.users.countActiveAdminsExcept(user.id)) === 0) {
      throw conflict('the last active admin cannot be demoted or suspended');
    }
  }
}

function conflict(message: string): DomainError {
  return new DomainError('CONFLICT', message);
}
