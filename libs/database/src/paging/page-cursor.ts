import { DomainError } from '@blockplane/contracts';

/** Where a keyset page ends: the last row's sort time (a server's creation, an entry's occurrence) and id. */
export interface PagePosition {
  at: Date;
  id: string;
}

/** One keyset page; `next` is where the following page starts, null on the last. */
export interface Page<T> {
  items: T[];
  next: PagePosition | null;
}

/** A page from `limit + 1` rows read in list order: the extra row only says that another page follows. */
export function pageOf<T>(rows: T[], limit: number, positionOf: (row: T) => PagePosition): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? positionOf(last) : null };
}

const uuid = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

/** Opaque to callers: base64url of `<epoch ms>.<id>`. */
export function encodeCursor({ at, id }: PagePosition): string {
  return Buffer.from(`${at.getTime()}.${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  const [ms, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('.');
  const at = new Date(Number(ms));
  if (rest.length > 0 || !ms || !/^\d+$/.test(ms) || Number.isNaN(at.getTime()) || !id || !uuid.test(id)) {
    throw new DomainError('VALIDATION_FAILED', 'cursor is malformed', [{ path: 'cursor', message: 'is malformed' }]);
  }
  return { at, id };
}

/** The position a request's optional cursor names. */
export function positionAfter(cursor: string | undefined): PagePosition | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor);
}

/** The opaque cursor of the page after this one, null on the last: what answers carry. */
export function nextCursorOf(page: Page<unknown>): string | null {
  return page.next && encodeCursor(page.next);
}
