import { Injectable } from '@nestjs/common';
import { LockMode, sql } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Permission } from '@blockplane/contracts';
import { GameServer } from '../servers/game-server.entity.js';
import { Subuser } from './subuser.entity.js';

/** A live server's owner, and the permissions one user holds on it as a sub-user (null: none). */
export interface SharedServer {
  ownerId: string;
  permissions: Permission[] | null;
}

@Injectable()
export class SubuserRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Asked on every server-scoped request, so one query by primary keys: the server (unless gone)
   * left-joined to the user's sub-user row. Null when the server does not exist or is gone.
   */
  async sharedWith(serverId: string, userId: string): Promise<SharedServer | null> {
    const theirs = this.em.createQueryBuilder(Subuser, 'u').select(['u.serverId', 'u.permissions']).where({ userId });
    const row = await this.em
      .createQueryBuilder(GameServer, 's')
      .select(['s.ownerId', sql.ref('u.permissions')])
      .leftJoin(theirs, 'u', { 'u.server_id': sql.ref('s.id') })
      .where({ id: serverId, status: { $ne: 'deleted' } })
      .execute<SharedServer | undefined>('get');
    return row ?? null;
  }

  find(serverId: string, userId: string): Promise<Subuser | null> {
    return this.em.findOne(Subuser, { serverId, userId });
  }

  /** Locks one sub-user's row, so concurrent changes of their rights apply one after the other. */
  lock(serverId: string, userId: string): Promise<Subuser | null> {
    return this.em.findOne(Subuser, { serverId, userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  listOf(serverId: string): Promise<Subuser[]> {
    return this.em.find(Subuser, { serverId }, { orderBy: { createdAt: 'asc', userId: 'asc' } });
  }

  add(subuser: Subuser): void {
    this.em.persist(subuser);
  }

  remove(subuser: Subuser): void {
    this.em.remove(subuser);
  }

  /** Ends every sub-user of a server (the caller holds the server's lock); answers who they were. */
  async removeAllOf(serverId: string): Promise<string[]> {
    const subusers = await this.em.find(Subuser, { serverId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    this.em.remove(subusers);
    return subusers.map((subuser) => subuser.userId);
  }
}
