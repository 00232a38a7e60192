import { Injectable } from '@nestjs/common';
import { LockMode, raw, sql } from '@mikro-orm/core';
import { EntityManager, type QBFilterQuery } from '@mikro-orm/postgresql';
import { DomainError, type Permission, type ServerStatus } from '@blockplane/contracts';
import { serverNotFound } from '../access/server-access.js';
import { Subuser } from '../access/subuser.entity.js';
import { type Page, type PagePosition, pageOf } from '@blockplane/database';
import { GameServer } from './game-server.entity.js';

/** A game server's columns, as read without the identity map. */
export type GameServerRow = Omit<GameServer, 'lastObservedAt' | 'firstRunningAt'>;

/** A server on a user's dashboard: theirs (`shared` null) or one they are a sub-user of, with their permissions. */
export interface DashboardRow extends GameServerRow {
  shared: Permission[] | null;
}

const notGone = { status: { $ne: 'deleted' } } as const;
const positionOf = (row: { createdAt: Date; id: string }): PagePosition => ({ at: row.createdAt, id: row.id });

@Injectable()
export class GameServerRepository {
  constructor(private readonly em: EntityManager) {}

  add(server: GameServer): void {
    this.em.persist(server);
  }

  findById(id: string): Promise<GameServer | null> {
    return this.em.findOne(GameServer, { id });
  }

  /** The server's owner, read without loading the server (a lock taken next then loads it fresh). */
  async ownerOf(id: string): Promise<string | null> {
    const row = await this.em
      .createQueryBuilder(GameServer, 's')
      .select('s.ownerId')
      .where({ id })
      .execute<Pick<GameServer, 'ownerId'> | undefined>('get');
    return row?.ownerId ?? null;
  }

  /** Locks the row, so concurrent commands on one server apply one after the other. */
  lockById(id: string): Promise<GameServer | null> {
    return this.em.findOne(GameServer, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** Locks a server for a command; one being deleted, or gone, takes none (CONFLICT). */
  async lockLive(id: string): Promise<GameServer> {
    const server = await this.lockById(id);
    if (!server) throw serverNotFound(id);
    if (server.desiredState === 'deleted' || server.status === 'deleted') {
      throw new DomainError('CONFLICT', `server ${id} is ${server.status}`, { status: server.status });
    }
    return server;
  }

  /** Locks every server of the owner that is meant to run (the caller holds the owner's quota lock). */
  lockRunningOf(ownerId: string): Promise<GameServer[]> {
    return this.em.find(
      GameServer,
      { ownerId, desiredState: 'running', ...notGone },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
    );
  }

  /**
   * A page of the servers a user owns or is a sub-user of, oldest first. Each half is a range scan of
   * its own index, cut at the page size, so the cost does not grow with the number of servers: the
   * owner's (ownerId, createdAt, id) and the sub-user's (userId, serverCreatedAt, serverId).
   */
  async pageAccessibleBy(userId: string, limit: number, after?: PagePosition): Promise<Page<DashboardRow>> {
    const owned = this.em
      .createQueryBuilder(GameServer, 'o')
      .select(['o.id', 'o.createdAt', raw('null::text[] as permissions')])
      .where({ ownerId: userId, ...notGone })
      .orderBy({ createdAt: 'asc', id: 'asc' })
      .limit(limit + 1);
    // Sub-user rows exist only for live servers: deleting a server (or seeing it gone) ends them.
    const shared = this.em
      .createQueryBuilder(Subuser, 'u')
      .select(['u.serverId', 'u.serverCreatedAt', 'u.permissions'])
      .where({ userId })
      .orderBy({ serverCreatedAt: 'asc', serverId: 'asc' })
      .limit(limit + 1);
    if (after) {
      owned.andWhere('(o.created_at, o.id) > (?, ?)', [after.at, after.id]);
      shared.andWhere('(u.server_created_at, u.server_id) > (?, ?)', [after.at, after.id]);
    }
    const rows = await this.em
      .createQueryBuilder(GameServer, 's')
      .select(['s.*', sql.ref('p.permissions')])
      // As a raw fragment: MikroORM 7.2.1 nests a union query builder in a subquery without an alias.
      .join(owned.unionAll(shared).toRaw(), 'p', { 'p.id': sql.ref('s.id') })
      .orderBy({ createdAt: 'asc', id: 'asc' })
      .limit(limit + 1)
      .execute<(GameServerRow & { permissions: Permission[] | null })[]>('all');
    return pageOf(
      rows.map(({ permissions, ...server }) => ({ ...server, shared: permissions })),
      limit,
      positionOf,
    );
  }

  /** A page of the servers the cluster should hold, in any state but gone, optionally one owner's. */
  pageNotDeleted(limit: number, after?: PagePosition, ownerId?: string): Promise<Page<GameServerRow>> {
    return this.page(ownerId === undefined ? notGone : { ownerId, ...notGone }, limit, after);
  }

  /** Plain rows, not entities: hydrating a page of entities costs more than the query. One row more tells if a page follows. */
  private async page(
    where: QBFilterQuery<GameServer, 's'>,
    limit: number,
    after?: PagePosition,
  ): Promise<Page<GameServerRow>> {
    const query = this.em.createQueryBuilder(GameServer, 's').select('*').where(where);
    // A row comparison, so PostgreSQL starts the index scan right after the cursor.
    if (after) query.andWhere('(s.created_at, s.id) > (?, ?)', [after.at, after.id]);
    const rows = await query
      .orderBy({ createdAt: 'asc', id: 'asc' })
      .limit(limit + 1)
      .execute<GameServerRow[]>('all');
    return pageOf(rows, limit, positionOf);
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
