import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { type EventPayload, type Quota, type Role, roles, type User as UserView } from '@blockplane/contracts';

/** An account. `user` is a reserved word in PostgreSQL, hence the table name. */
@Entity({ tableName: 'user_account' })
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

  @Property({ type: 'integer' })
  maxServers!: number;

  @Property({ type: 'double' })
  maxCpuCores!: number;

  @Property({ type: 'integer' })
  maxMemoryMb!: number;

  @Property({ type: 'integer' })
  maxDiskGb!: number;

  @Property({ type: 'timestamptz' })
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

  registeredEvent(): EventPayload<'user.registered'> {
    return { userId: this.id, role: this.role, quota: this.quota };
  }
}
