import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { createHash, randomBytes } from 'node:crypto';
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
    const token = randomBytes(32).toString('base64url');
    const row = new RefreshToken();
    Object.assign(row, { tokenHash: hashToken(token), familyId, user, expiresAt });
    this.em.persist(row);
    return { row, token };
  }

  /** Locks the row, so concurrent rotations of one token run one after the other. */
  findForUpdate(token: string): Promise<RefreshToken | null> {
    return this.em.findOne(RefreshToken, { tokenHash: hashToken(token) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  find(token: string): Promise<RefreshToken | null> {
    return this.em.findOne(RefreshToken, { tokenHash: hashToken(token) });
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
