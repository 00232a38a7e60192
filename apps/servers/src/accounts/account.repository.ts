import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Account } from './account.entity.js';

@Injectable()
export class AccountRepository {
  constructor(private readonly em: EntityManager) {}

  findByEmail(email: string): Promise<Account | null> {
    return this.em.findOne(Account, { email });
  }

  /** The emails of these accounts (null when not learned yet), by user id. */
  async emailsOf(userIds: readonly string[]): Promise<Map<string, string | null>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.em
      .createQueryBuilder(Account, 'a')
      .select(['a.userId', 'a.email'])
      .where({ userId: { $in: [...new Set(userIds)] } })
      .execute<Pick<Account, 'userId' | 'email'>[]>('all');
    return new Map(rows.map((row) => [row.userId, row.email]));
  }

  async isSuspended(userId: string): Promise<boolean> {
    const row = await this.em
      .createQueryBuilder(Account, 'a')
      .select('a.suspended')
      .where({ userId })
      .execute<Pick<Account, 'suspended'> | undefined>('get');
    return row?.suspended ?? false;
  }

  /** Locks the account's row, creating it first when no event about it was seen yet. */
  async lock(userId: string): Promise<Account> {
    await this.em.createQueryBuilder(Account).insert({ userId }).onConflict('userId').ignore().execute('run');
    return this.em.findOneOrFail(Account, { userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }
}
