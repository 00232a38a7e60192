import { Global, Injectable, Module } from '@nestjs/common';
import { INBOX_STORE, type InboxStore } from '@blockplane/messaging';

/** Event ids remembered per process: enough to skip JetStream's redeliveries of the last minutes. */
const REMEMBERED = 10_000;

/**
 * The console keeps no database. What it consumes (status changes to relay) is harmless to repeat, so its
 * inbox only skips events this process already handled, and forgets the oldest past `REMEMBERED`.
 */
@Injectable()
export class RecentEventsInbox implements InboxStore {
  private readonly handled = new Set<string>();

  async runOnce(consumer: string, eventId: string, work: () => Promise<void>): Promise<boolean> {
    const key = `${consumer}:${eventId}`;
    if (this.handled.has(key)) return false;
    await work();
    this.handled.add(key);
    // A Set iterates in insertion order: the first is the oldest.
    for (const oldest of this.handled) {
      if (this.handled.size <= REMEMBERED) break;
      this.handled.delete(oldest);
    }
    return true;
  }
}

/** Global, as the messaging library's consumers look for an inbox among the app's global providers. */
@Global()
@Module({ providers: [{ provide: INBOX_STORE, useClass: RecentEventsInbox }], exports: [INBOX_STORE] })
export class RecentEventsInboxModule {}
