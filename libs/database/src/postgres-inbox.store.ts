import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { InboxStore } from '@blockplane/messaging';
import { ProcessedEvent } from './processed-event.entity.js';

/**
 * Marks the event and runs the handler's work in one transaction. The handler's own use of the
 * injected EntityManager joins that transaction (MikroORM's transaction context).
 */
@Injectable()
export class PostgresInboxStore implements InboxStore {
  constructor(private readonly em: EntityManager) {}

  runOnce(consumer: string, eventId: string, work: () => Promise<void>): Promise<boolean> {
    return this.em.transactional(async (em) => {
      const result = await em
        .createQueryBuilder(ProcessedEvent)
        .insert({ consumer, eventId })
        .onConflict(['consumer', 'eventId'])
        .ignore()
        .execute('run');
      if (result.affectedRows === 0) return false;
      await work();
      return true;
    });
  }
}
