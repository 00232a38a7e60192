import { Injectable } from '@nestjs/common';
import { LockMode, raw } from '@mikro-orm/core';
import { EntityManager, type QBFilterQuery } from '@mikro-orm/postgresql';
import type { Resources, ServerStatus } from '@blockplane/contracts';
import { GameServer } from './game-server.entity.js';
import type { PagePosition } from './page-cursor.js';

/** A game server's columns, as read without the identity map. */
export type GameServerRow = Omit<GameServer, 'lastObservedAt' | 'firstRunningAt'>;

/** What an owner's servers hold: servers and disk count unless deleted, CPU and memory while meant to run. */
/** One keyset page; `next` is where the following page starts, null on the last. */
export interface Page<T> {
  items: T[];
  next: PagePosition | null;
}

export interface Claimed extends Resources {
  servers: number;
}

@Injectable()
export class GameServerRepository {
  constructor(private readonly em: EntityManager) {}

  add(server: GameServer): void {
    this.em.persist(server);
  }

  findById(id: string): Promise<GameServer | null> {
    return this.em.findOne(GameServer, { id });
  }

  /** Locks the row, so concurrent commands on one server apply one after the other. */
  lockById(id: string): Promise<GameServer | null> {
    return this.em.findOne(GameServer, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** A page of the owner's servers, oldest first (the (ownerId, createdAt, id) index). */
  pageByOwner(ownerId: string, limit: number, after?: PagePosition): Promise<Page<GameServerRow>> {
    return this.page({ ownerId }, limit, after);
  }

  /** A page of the servers the cluster should hold, in any state but deleted (the (createdAt, id) index). */
  pageNotDeleted(limit: number, after?: PagePosition): Promise<Page<GameServerRow>> {
    return this.page({ status: { $ne: 'deleted' } }, limit, after);
  }

  async claimedBy(ownerId: string): Promise<Claimed> {
    const row = await this.em
      .createQueryBuilder(GameServer, 's')
      .select([
        raw(`count(*) filter (where s.desired_state <> 'deleted') as servers`),
        raw(`coalesce(sum(s.disk_gb) filter (where s.desired_state <> 'deleted'), 0) as disk_gb`),
        raw(`coalesce(sum(s.cpu_cores) filter (where s.desired_state = 'running'), 0) as cpu_cores`),
        raw(`coalesce(sum(s.memory_mb) filter (where s.desired_state = 'running'), 0) as memory_mb`),
      ])
      .where({ ownerId })
      .execute<Record<'servers' | 'disk_gb' | 'cpu_cores' | 'memory_mb', string | number>>('get', false);
    return {
      servers: Number(row.servers),
      cpuCores: Number(row.cpu_cores),
      memoryMb: Number(row.memory_mb),
      diskGb: Number(row.disk_gb),
    };
  }

  /** Plain rows, not entities: hydrating a page of entities costs more than the query. One row more tells if a page follows. */
  private async page(
    where: QBFilterQuery<GameServer, 's'>,
    limit: number,
    after?: PagePosition,
  ): Promise<Page<GameServerRow>> {
    const query = this.em.createQueryBuilder(GameServer, 's').select('*').where(where);
    // A row comparison, so PostgreSQL starts the index scan right after the cursor.
    if (after) query.andWhere('(s.created_at, s.id) > (?, ?)', [after.createdAt, after.id]);
    const rows = await query
      .orderBy({ createdAt: 'asc', id: 'asc' })
      .limit(limit + 1)
      .execute<GameServerRow[]>('all');
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
  }

  async countByStatus(): Promise<Map<ServerStatus, number>> {
    const rows = await this.em
      .fork()
      .createQueryBuilder(GameServer, 's')
      .select(['s.status', raw('count(*) as n')])
      .groupBy('s.status')
      .execute<{ status: ServerStatus; n: string }[]>('all', false);
    return new Map(rows.map((row) => [row.status, Number(row.n)]));
  }
}
