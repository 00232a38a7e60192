import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SigningKey } from './signing-key.entity.js';

const CREATE_LOCK = 'auth.signing-key.create';

@Injectable()
export class SigningKeyRepository {
  constructor(private readonly em: EntityManager) {}

  all(): Promise<SigningKey[]> {
    return this.em.find(SigningKey, {}, { orderBy: { createdAt: 'desc' } });
  }

  async newest(): Promise<SigningKey | undefined> {
    const [newest] = await this.em.find(SigningKey, {}, { orderBy: { createdAt: 'desc' }, limit: 1 });
    return newest;
  }

  /** Holds a transaction-scoped advisory lock, so replicas starting together create one key, not two. */
  async lockCreation(): Promise<void> {
    await this.em.execute('select pg_advisory_xact_lock(hashtext(?))', [CREATE_LOCK]);
  }

  add(key: SigningKey): void {
    this.em.persist(key);
  }
}
