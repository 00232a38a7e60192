import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Quota } from '@blockplane/contracts';
import { OwnerQuota } from './owner-quota.entity.js';

@Injectable()
export class OwnerQuotaRepository {
  constructor(private readonly em: EntityManager) {}

  find(userId: string): Promise<OwnerQuota | null> {
    return this.em.findOne(OwnerQuota, { userId });
  }

  /** Locks the owner's row (creating it with `defaults` first if unknown): claims by one owner queue here. */
  async lock(userId: string, defaults: Quota): Promise<OwnerQuota> {
    await this.em
      .createQueryBuilder(OwnerQuota)
      .insert({ userId, ...defaults, quotaSetAt: null })
      .onConflict('userId')
      .ignore()
      .execute('run');
    return this.em.findOneOrFail(OwnerQuota, { userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** Records the quota auth set at `setAt`, unless a later one is already held. */
  async learn(userId: string, quota: Quota, setAt: Date, defaults: Quota): Promise<void> {
    const row = await this.lock(userId, defaults);
    if (row.quotaSetAt && row.quotaSetAt > setAt) return;
    Object.assign(row, quota, { quotaSetAt: setAt });
  }
}
