import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * An owner's quota as learned from auth's events, and the running totals of what their servers
 * claim (see claim.ts), changed in the same transactions as the servers: reading usage is one row.
 * The row is also the lock that serialises the owner's claims.
 */
@Entity({ tableName: 'owner_quota' })
export class OwnerQuota {
  /** The totals start at zero (database defaults). */
  [OptionalProps]?: 'usedServers' | 'usedCpuCores' | 'usedMemoryMb' | 'usedDiskGb';

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'integer' })
  maxServers!: number;

  @Property({ type: 'double' })
  maxCpuCores!: number;

  @Property({ type: 'integer' })
  maxMemoryMb!: number;

  @Property({ type: 'integer' })
  maxDiskGb!: number;

  /** When auth set the quota held here (null: config defaults); events do not arrive in order across subjects. */
  @Property({ type: 'timestamptz', nullable: true })
  quotaSetAt: Date | null = null;

  @Property({ type: 'integer', default: 0 })
  usedServers = 0;

  @Property({ type: 'double', default: 0 })
  usedCpuCores = 0;

  @Property({ type: 'integer', default: 0 })
  usedMemoryMb = 0;

  @Property({ type: 'integer', default: 0 })
  usedDiskGb = 0;
}
