/**
 * Remembers which events a consumer has processed, so a redelivered event runs its work once.
 * `work` runs in the same transaction as the mark: either both persist or neither does.
 * Resolves false when the event had already been processed.
 */
export interface InboxStore {
  runOnce(consumer: string, eventId: string, work: () => Promise<void>): Promise<boolean>;
}

export const INBOX_STORE = Symbol('InboxStore');
