import { Injectable } from '@nestjs/common';
import { EnsureRequestContext } from '@mikro-orm/decorators/legacy';
import { EntityManager } from '@mikro-orm/postgresql';
import { Outbox } from '@blockplane/database';
import {
  type Actor,
  type ApiKey as ApiKeyView,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  DomainError,
} from '@blockplane/contracts';
import type { Source } from '../rate-limits/rate-limiter.js';
import { sameHash } from '../secrets/secret-token.js';
import { accountNotFound, accountSuspended } from '../users/account-errors.js';
import { UserRepository } from '../users/user.repository.js';
import type { ApiKey } from './api-key.entity.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { newApiKeySecret, parseApiKey } from './api-key-secret.js';
import { allowsSource } from './ip-allow-list.js';

export const MAX_API_KEYS_PER_USER = 25;
/** A key's last use is written at most this often. */
const LAST_USE_RESOLUTION_MS = 60_000;

/** One answer for every key that does not work, so a caller learns nothing of why. */
const invalidKey = () => new DomainError('UNAUTHENTICATED', 'invalid API key');

/** Users' API keys: create, list, revoke, and turn a presented key into the actor it speaks for. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly em: EntityManager,
    private readonly keys: ApiKeyRepository,
    private readonly users: UserRepository,
    private readonly outbox: Outbox,
  ) {}

  async create(actor: Actor, request: CreateApiKeyRequest): Promise<CreatedApiKey> {
    refuseKeyActor(actor);
    const expiresAt = request.expiresAt === undefined ? null : new Date(request.expiresAt);
    if (expiresAt && expiresAt <= new Date()) {
      throw new DomainError('VALIDATION_FAILED', 'expiresAt must be in the future', [
        { path: 'expiresAt', message: 'must be in the future' },
      ]);
    }
    return this.em.transactional(async () => {
      // The owner's row is locked, so concurrent creations are counted one after the other.
      const user = await this.users.findById(actor.userId, true);
      if (!user) throw accountNotFound();
      if ((await this.keys.countOf(user.id)) >= MAX_API_KEYS_PER_USER) {
        throw new DomainError('CONFLICT', `an account may hold at most ${MAX_API_KEYS_PER_USER} API keys`);
      }
      const { key, prefix, secretHash } = newApiKeySecret();
      const created = this.keys.add({
        user,
        name: request.name,
        prefix,
        secretHash,
        permissions: [...request.permissions].sort(),
        allowedIps: request.allowedIps ?? [],
        expiresAt,
      });
      return { apiKey: created.view(), secret: key };
    });
  }

  @EnsureRequestContext()
  async list(actor: Actor): Promise<ApiKeyView[]> {
    refuseKeyActor(actor);
    return (await this.keys.listOf(actor.userId)).map((key) => key.view());
  }

  /**
   * Deleted at once; another user's key is as unknown as a key that never existed. `apikey.revoked` tells the
   * gateways, whose open sockets authenticated once with the key, to close them.
   */
  async revoke(actor: Actor, keyId: string): Promise<void> {
    refuseKeyActor(actor);
    await this.em.transactional(async () => {
      if (!(await this.keys.delete(keyId, actor.userId))) {
        throw new DomainError('NOT_FOUND', 'API key not found');
      }
      this.outbox.stage('apikey.revoked', { keyId, userId: actor.userId });
    });
  }

  /** Keys never carry the admin role; a suspended owner's keys are refused until the account is restored. */
  @EnsureRequestContext()
  async verify({ key, source }: { key: string } & Source): Promise<Actor> {
    const presented = parseApiKey(key);
    const stored = presented && (await this.keys.findByPrefix(presented.prefix));
    if (!presented || !stored || !sameHash(stored.secretHash, presented.secretHash) || !usableFrom(stored, source)) {
      throw invalidKey();
    }
    if (stored.user.status === 'suspended') throw accountSuspended();
    await this.recordUse(stored, source);
    return { userId: stored.user.id, role: 'user', apiKey: { id: stored.id, permissions: stored.permissions } };
  }

  private async recordUse(key: ApiKey, source: string): Promise<void> {
    const now = new Date();
    const recordedSince = new Date(now.getTime() - LAST_USE_RESOLUTION_MS);
    // Skips the write when the row just read is recent; the conditional update settles races between replicas.
    if (key.lastUsedAt && key.lastUsedAt >= recordedSince) return;
    await this.keys.recordUse(key.id, source, now, recordedSince);
  }
}

function refuseKeyActor(actor: Actor): void {
  if (actor.apiKey) throw new DomainError('FORBIDDEN', 'API keys cannot manage API keys');
}

function usableFrom(key: ApiKey, source: string): boolean {
  return (key.expiresAt === null || key.expiresAt > new Date()) && allowsSource(key.allowedIps, source);
}
