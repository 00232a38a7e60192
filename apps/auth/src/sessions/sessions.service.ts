import { Inject, Injectable } from '@nestjs/common';
import { EnsureRequestContext } from '@mikro-orm/decorators/legacy';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { DomainError, type LoginRequest, type Session } from '@blockplane/contracts';
import { ACCESS_TOKEN_TTL_SECONDS, SigningKeysService } from '../keys/signing-keys.service.js';
import { PasswordHasher } from '../users/password-hasher.js';
import type { User } from '../users/user.entity.js';
import { UserRepository } from '../users/user.repository.js';
import { type IssuedRefreshToken, RefreshTokenRepository } from './refresh-token.repository.js';
import type { SessionsConfig } from './sessions.section.js';

export const SESSIONS_CONFIG = Symbol('SessionsConfig');

type Rotation = { ok: true; user: User; refresh: IssuedRefreshToken } | { ok: false };

/** Logins, refresh-token rotation with reuse detection, logout. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UserRepository,
    private readonly tokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly keys: SigningKeysService,
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
  ) {}

  @EnsureRequestContext()
  async login({ email, password }: LoginRequest): Promise<Session> {
    const user = await this.users.findByEmail(email);
    if (!(await this.hasher.verify(user?.passwordHash, password)) || !user) {
      throw new DomainError('UNAUTHENTICATED', 'invalid email or password');
    }
    const refresh = await this.em.transactional(async () => this.tokens.issue(user, randomUUID(), this.expiry()));
    return this.session(user, refresh);
  }

  async refresh(token: string): Promise<Session> {
    // Not one transaction with the error: a detected reuse must commit the family's revocation.
    const rotation = await this.em.transactional(async (): Promise<Rotation> => {
      const presented = await this.tokens.findForUpdate(token);
      if (!presented || presented.revokedAt || presented.expiresAt <= new Date()) return { ok: false };
      if (presented.replacedBy) {
        await this.tokens.revokeFamily(presented.familyId);
        return { ok: false };
      }
      const user = await this.users.findById(presented.user.id);
      if (!user) return { ok: false };
      const refresh = this.tokens.issue(user, presented.familyId, this.expiry());
      presented.replacedBy = refresh.row.id;
      return { ok: true, user, refresh };
    });
    if (!rotation.ok) throw new DomainError('UNAUTHENTICATED', 'invalid or expired refresh token');
    return this.session(rotation.user, rotation.refresh);
  }

  /** Ends the login the token belongs to; an unknown token is already logged out. */
  async logout(token: string): Promise<void> {
    await this.em.transactional(async () => {
      const presented = await this.tokens.find(token);
      if (presented) await this.tokens.revokeFamily(presented.familyId);
    });
  }

  private expiry(): Date {
    return new Date(Date.now() + this.config.refreshTokenTtlDays * 24 * 3600 * 1000);
  }

  private async session(user: User, refresh: IssuedRefreshToken): Promise<Session> {
    return {
      accessToken: await this.keys.sign(user),
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.row.expiresAt.toISOString(),
      user: user.view(),
    };
  }
}
