import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Principal, Quota, Role } from '@blockplane/contracts';
import { type Page, type PagePosition, pageOf } from '@blockplane/database';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  passwordHash: string;
  role: Role;
  quota: Quota;
}

const ADMIN_CHANGES_LOCK = 'auth.admin-changes';

/** Accounts; works in the caller's transaction or request context (or an explicit EntityManager, for commands). */
@Injectable()
export class UserRepository {
  constructor(private readonly em: EntityManager) {}

  findById(id: string, lock = false): Promise<User | null> {
    return this.em.findOne(User, { id }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  }

  findByEmail(email: string, lock = false): Promise<User | null> {
    return this.em.findOne(User, { email }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  }

  /** Two columns by primary key, past the identity map: asked on every request through the gateway. */
  async principal(id: string): Promise<Principal | null> {
    const row = await this.em
      .createQueryBuilder(User, 'u')
      .select(['id', 'role', 'status'])
      .where({ id })
      .execute<Pick<User, 'id' | 'role' | 'status'> | undefined>('get');
    return row ? { userId: row.id, role: row.role, status: row.status } : null;
  }

  /** Accounts oldest first, optionally those whose email contains `emailPart`; one row more tells if a page follows. */
  async page(limit: number, after?: PagePosition, emailPart?: string): Promise<Page<User>> {
    const query = this.em.createQueryBuilder(User, 'u').select('*');
    if (emailPart) query.andWhere({ email: { $ilike: `%${escapeLike(emailPart)}%` } });
    // A row comparison, so PostgreSQL starts the (createdAt, id) index scan right after the cursor.
    if (after) query.andWhere('(u.created_at, u.id) > (?, ?)', [after.at, after.id]);
    const rows = await query
      .orderBy({ createdAt: 'asc', id: 'asc' })
      .limit(limit + 1)
      .getResultList();
    return pageOf(rows, limit, (user) => ({ at: user.createdAt, id: user.id }));
  }

  /** Serialises role changes and suspensions, so two admins cannot each remove the other as the last one. */
  async lockAdminChanges(): Promise<void> {
    await this.em.execute('select pg_advisory_xact_lock(hashtext(?))', [ADMIN_CHANGES_LOCK]);
  }

  countActiveAdminsExcept(id: string): Promise<number> {
    return this.em.count(User, { role: 'admin', status: 'active', id: { $ne: id } });
  }

  /** Stored when the unit of work flushes; a taken email then fails with a unique violation. */
  add({ email, passwordHash, role, quota }: NewUser): User {
    const user = new User();
    Object.assign(user, { email, passwordHash, role });
    user.setQuota(quota);
    this.em.persist(user);
    return user;
  }
}

/** `%`, `_` and the escape character itself match literally (PostgreSQL's default LIKE escape is `\`). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
