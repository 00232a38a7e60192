import { ArrayType, PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { Permission } from '@blockplane/contracts';

/** A user the owner (or a sub-user allowed to) invited onto one server, with what they may do there. */
@Entity({ tableName: 'subuser' })
// The dashboard's shared half: a keyset page of the servers a user was invited to, in the servers' own order.
@Index({ properties: ['userId', 'serverCreatedAt', 'serverId'] })
export class Subuser {
  [PrimaryKeyProp]?: ['serverId', 'userId'];

  @PrimaryKey({ type: 'uuid' })
  serverId!: string;

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  /** Sorted. */
  @Property({ type: ArrayType })
  permissions!: Permission[];

  /** The server's `createdAt` (it never changes): lets the index above order a user's shared servers. */
  @Property({ type: 'timestamptz', length: 3 })
  serverCreatedAt!: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
