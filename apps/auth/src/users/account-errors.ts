import { DomainError } from '@blockplane/contracts';

export function accountNotFound(): DomainError {
  return new DomainError('NOT_FOUND', 'account not found');
}

/** Only said to a caller who proved who they are (the right password, a valid token or key). */
export function accountSuspended(): DomainError {
  return new DomainError('FORBIDDEN', 'account is suspended');
}
