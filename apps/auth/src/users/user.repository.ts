import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Quota, Role } from '@blockplane/contracts';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  passwordHash: string;
  role: Role;
  quota: Quota;
}

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

  /** Stored when the unit of work flushes; a taken email then fails with a unique violation. */
  add({ email, passwordHash, role, quota }: NewUser): User {
    const user = new User();
    Object.assign(user, { email, passwordHash, role });
    user.setQuota(quota);
    this.em.persist(user);
    return user;
  }
}
