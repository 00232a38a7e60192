import type { EntityManager } from '@mikro-orm/postgresql';
import type { Quota } from '@blockplane/contracts';
import { stageEvent } from '@blockplane/database';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

export interface AdminBootstrap {
  email: string;
  password: string;
  defaultQuota: Quota;
  /** The NATS namespace whose running auth service relays the event. */
  namespace: string;
}

/** Creates the account as an admin, or promotes an existing one (which keeps its password). */
export async function bootstrapAdmin(em: EntityManager, input: AdminBootstrap): Promise<'created' | 'promoted'> {
  const passwordHash = await new PasswordHasher().hash(input.password);
  return em.fork().transactional(async (tx) => {
    const users = new UserRepository(tx);
    const existing = await users.findByEmail(input.email, true);
    if (existing) {
      if (existing.role !== 'admin') {
        existing.role = 'admin';
        stageEvent(tx, input.namespace, 'user.role-changed', { userId: existing.id, role: 'admin' });
      }
      return 'promoted';
    }
    const user = users.add({ email: input.email, passwordHash, role: 'admin', quota: input.defaultQuota });
    stageEvent(tx, input.namespace, 'user.registered', user.registeredEvent());
    return 'created';
  });
}
