import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Permission } from '@blockplane/contracts';
import type { User } from '../users/user.entity.js';
import { ApiKey } from './api-key.entity.js';

export interface NewApiKey {
  user: User;
  name: string;
  prefix: string;
  secretHash: string;
  permissions: Permission[];
  allowedIps: string[];
  expiresAt: Date | null;
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly em: EntityManager) {}

  add(fields: NewApiKey): ApiKey {
    const key = Object.assign(new ApiKey(), fields);
    this.em.persist(key);
    return key;
  }

  /** The key and its owner's account, in one query. */
  findByPrefix(prefix: string): Promise<ApiKey | null> {
    return this.em.findOne(ApiKey, { prefix }, { populate: ['user'] });
  }

  listOf(userId: string): Promise<ApiKey[]> {
    return this.em.find(ApiKey, { user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  countOf(userId: string): Promise<number> {
    return this.em.count(ApiKey, { user: userId });
  }

  /** False when the user has no such key. */
  async delete(id: string, userId: string): Promise<boolean> {
    return (await this.em.nativeDelete(ApiKey, { id, user: userId })) > 0;
  }

  /** Records a use unless one was recorded since `recordedSince`: a busy key writes once a period, not per request. */
  async recordUse(id: string, source: string, at: Date, recordedSince: Date): Promise<void> {
    await this.em.nativeUpdate(
      ApiKey,
      { id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: recordedSince } }] },
      { lastUsedAt: at, lastUsedFrom: source },
    );
  }
}
