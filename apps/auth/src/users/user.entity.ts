import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import {
  type AccountStatus,
  accountStatuses,
  type AdminUser,
  type EventPayload,
  type Principal,
  type Quota,
  type Role,
  roles,
  type User as UserView,
} from '@blockplane/contracts';

/** An account. `user` is a reserved word in PostgreSQL, hence the table name. */
@Entity({ tableName: 'user_account' })
// The admin list pages in (createdAt, id) order.
@Index({ properties: ['createdAt', 'id'] })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Normalised (trimmed, lower-cased) by the contract schema before it gets here. */
  @Property({ type: 'text', unique: true })
  email!: string;

  @Property({ type: 'text' })
  passwordHash!: string;

  @Enum({ items: () => [...roles] })
  role: Role = 'user';

  /** A suspended account cannot log in, refresh or use its API keys; its servers are stopped. */
  @Enum({ items: () => [...accountStatuses], default: 'active' })
  status: AccountStatus = 'active';

  @Property({ type: 'text', nullable: true })
  suspendedReason: string | null = null;

  @Property({ type: 'integer' })
  maxServers!: number;

  @Property({ type: 'double' })
  maxCpuCores!: number;

  @Property({ type: 'integer' })
  maxMemoryMb!: number;

  @Property({ type: 'integer' })
  maxDiskGb!: number;

  /** Milliseconds, like a JS Date: a page cursor holds it exactly. */
  @Property({ type: 'timestamptz', length: 3 })
  createdAt: Date = new Date();

  get quota(): Quota {
    return {
      maxServers: this.maxServers,
      maxCpuCores: this.maxCpuCores,
      maxMemoryMb: this.maxMemoryMb,
      maxDiskGb: this.maxDiskGb,
    };
  }

  setQuota({ maxServers, maxCpuCores, maxMemoryMb, maxDiskGb }: Quota): void {
    Object.assign(this, { maxServers, maxCpuCores, maxMemoryMb, maxDiskGb });
  }

  view(): UserView {
    return {
      id: this.id,
      email: this.email,
      role: this.role,
      quota: this.quota,
      createdAt: this.createdAt.toISOString(),
    };
  }

  adminView(): AdminUser {
    return { ...this.view(), status: this.status, suspendedReason: this.suspendedReason };
  }

  principal(): Principal {
    return { userId: this.id, role: this.role, status: this.status };
  }

  registeredEvent(): EventPayload<'user.registered'> {
    return { userId: this.id, email: this.email, role: this.role, quota: this.quota };
  }
}
