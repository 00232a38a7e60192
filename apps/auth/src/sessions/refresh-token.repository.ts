import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { hashSecret, newSecretToken } from '../secrets/secret-token.js';
import type { User } from '../users/user.entity.js';
import { RefreshToken } from './refresh-token.entity.js';

/** The secret goes to the client once; only its hash is stored. */
export interface IssuedRefreshToken {
  row: RefreshToken;
  token: string;
}

@Injectable()
export class RefreshTokenRepository {
  constructor(private readonly em: EntityManager) {}

  issue(user: User, familyId: string, expiresAt: Date): IssuedRefreshToken {
    const token = newSecretToken();
    const row = new RefreshToken();
    Object.assign(row, { tokenHash: hashSecret(token), familyId, user, expiresAt });
    this.em.persist(row);
    return { row, token };
  }

  /** Locks the row, so concurrent rotations of one token run one after the other. */
  findForUpdate(token: string): Promise<RefreshToken | null> {
    return this.em.findOne(RefreshToken, { tokenHash: hashSecret(token) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  find(token: string): Promise<RefreshToken | null> {
    return this.em.findOne(RefreshToken, { tokenHash: hashSecret(token) });
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
  }

  /** Ends every login of the account (suspension, password reset). */
  async revokeAllOf(userId: string): Promise<void> {
    await this.em.nativeUpdate(RefreshToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
  }
}
