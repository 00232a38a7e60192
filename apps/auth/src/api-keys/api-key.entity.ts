import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { ApiKey as ApiKeyView, Permission } from '@blockplane/contracts';
import { User } from '../users/user.entity.js';

/** A user's API key for the server API: its permissions, limits, and only a SHA-256 hash of its secret. */
@Entity({ tableName: 'api_key' })
export class ApiKey {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: User;

  @Property({ type: 'text' })
  name!: string;

  /** `bp_<lookup id>`: shown so the owner recognises the key, and how a presented key is found. */
  @Property({ type: 'text', unique: true })
  prefix!: string;

  @Property({ type: 'text' })
  secretHash!: string;

  @Property({ type: 'json' })
  permissions!: Permission[];

  /** Addresses and CIDR blocks the key may be used from; empty allows any. */
  @Property({ type: 'json' })
  allowedIps!: string[];

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastUsedFrom: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  view(): ApiKeyView {
    return {
      id: this.id,
      name: this.name,
      prefix: this.prefix,
      permissions: this.permissions,
      allowedIps: this.allowedIps,
      expiresAt: this.expiresAt?.toISOString() ?? null,
      lastUsedAt: this.lastUsedAt?.toISOString() ?? null,
      lastUsedFrom: this.lastUsedFrom,
      createdAt: this.createdAt.toISOString(),
    };
  }
}
