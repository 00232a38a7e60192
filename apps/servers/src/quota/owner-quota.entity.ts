import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { type Role, roles } from '@blockplane/contracts';

/** An account's quota as learned from auth's events; its row is also the lock that serialises the owner's claims. */
@Entity({ tableName: 'owner_quota' })
export class OwnerQuota {
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

  @Enum({ items: () => [...roles] })
  role: Role = 'user';

  /** When auth set the quota held here (null: config defaults); events do not arrive in order across subjects. */
  @Property({ type: 'timestamptz', nullable: true })
  quotaSetAt: Date | null = null;
}
