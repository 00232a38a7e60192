import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { hashSecret, newSecretToken } from '../secrets/secret-token.js';
import type { User } from '../users/user.entity.js';
import { PasswordResetToken } from './password-reset-token.entity.js';

@Injectable()
export class PasswordResetTokenRepository {
  constructor(private readonly em: EntityManager) {}

  /** Returns the secret, which goes to the account's mailbox; only its hash is stored. */
  issue(user: User, expiresAt: Date): string {
    const token = newSecretToken();
    const row = new PasswordResetToken();
    Object.assign(row, { tokenHash: hashSecret(token), user, expiresAt });
    this.em.persist(row);
    return token;
  }

  find(token: string): Promise<PasswordResetToken | null> {
    return this.em.findOne(PasswordResetToken, { tokenHash: hashSecret(token) });
  }

  /** Deletes the link; false when it was already gone (used by a concurrent request). */
  async take(id: string): Promise<boolean> {
    return (await this.em.nativeDelete(PasswordResetToken, { id })) > 0;
  }

  async deleteAllOf(userId: string): Promise<void> {
    await this.em.nativeDelete(PasswordResetToken, { user: userId });
  }

  async deleteExpired(): Promise<void> {
    await this.em.nativeDelete(PasswordResetToken, { expiresAt: { $lte: new Date() } });
  }
}
