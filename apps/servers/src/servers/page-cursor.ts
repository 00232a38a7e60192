import { DomainError } from '@blockplane/contracts';

/** Where a keyset page ends: the last row's (createdAt, id), the order every server list uses. */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

const uuid = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

/** Opaque to callers: base64url of `<epoch ms>.<id>`. */
export function encodeCursor({ createdAt, id }: PagePosition): string {
  return Buffer.from(`${createdAt.getTime()}.${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  const [ms, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('.');
  const createdAt = new Date(Number(ms));
  if (rest.length > 0 || !ms || !/^\d+$/.test(ms) || Number.isNaN(createdAt.getTime()) || !id || !uuid.test(id)) {
    throw new DomainError('VALIDATION_FAILED', 'cursor is malformed', [{ path: 'cursor', message: 'is malformed' }]);
  }
  return { createdAt, id };
}
