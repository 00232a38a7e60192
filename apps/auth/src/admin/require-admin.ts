import { type Actor, DomainError } from '@blockplane/contracts';

/** The admin API is for admins signed in as themselves: API keys never carry the admin role. */
export function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin' || actor.apiKey) throw new DomainError('FORBIDDEN', 'only admins may do this');
}
