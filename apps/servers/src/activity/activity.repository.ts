import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { ActivityEntry } from '@blockplane/contracts';
import { type Page, type PagePosition, pageOf } from '@blockplane/database';
import { Activity } from './activity.entity.js';

/** Which entries a page holds: one server's, one actor's, both, or all. */
export interface ActivityFilter {
  serverId?: string | undefined;
  actorId?: string | undefined;
}

@Injectable()
export class ActivityRepository {
  constructor(private readonly em: EntityManager) {}

  /** Stores an entry once, however often it arrives. */
  async record(entry: ActivityEntry): Promise<void> {
    await this.em
      .createQueryBuilder(Activity)
      .insert({ ...entry, occurredAt: new Date(entry.occurredAt) })
      .onConflict('id')
      .ignore()
      .execute('run');
  }

  /** A page newest first, from one of the (…, occurredAt desc, id desc) indexes; one row more tells if a page follows. */
  async page({ serverId, actorId }: ActivityFilter, limit: number, after?: PagePosition): Promise<Page<Activity>> {
    const query = this.em
      .createQueryBuilder(Activity, 'a')
      .select('*')
      .where({ ...(serverId === undefined ? {} : { serverId }), ...(actorId === undefined ? {} : { actorId }) });
    if (after) query.andWhere('(a.occurred_at, a.id) < (?, ?)', [after.at, after.id]);
    const rows = await query
      .orderBy({ occurredAt: 'desc', id: 'desc' })
      .limit(limit + 1)
      .execute<Activity[]>('all');
    return pageOf(rows, limit, (row) => ({ at: row.occurredAt, id: row.id }));
  }
}
