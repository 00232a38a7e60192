import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { type Role, roles } from '@blockplane/contracts';

/**
 * An account as the servers service knows it from auth's events: the email sub-users are invited by,
 * its role, and whether it is suspended. Events of different subjects arrive in any order, so each
 * learned fact keeps the time auth set it and an older one never overwrites a newer one.
 */
@Entity({ tableName: 'account' })
export class Account {
  /** Database defaults: a row is first inserted with its id alone. */
  [OptionalProps]?: 'email' | 'role' | 'roleSetAt' | 'suspended' | 'suspensionSetAt';

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  /** Null until `user.registered` is consumed (another subject's event may create the row first). */
  @Property({ type: 'text', nullable: true, unique: true })
  email: string | null = null;

  @Enum({ items: () => [...roles], default: 'user' })
  role: Role = 'user';

  @Property({ type: 'timestamptz', nullable: true })
  roleSetAt: Date | null = null;

  /** A suspended owner's servers stop, and none of them may claim resources again. */
  @Property({ type: 'boolean', default: false })
  suspended = false;

  @Property({ type: 'timestamptz', nullable: true })
  suspensionSetAt: Date | null = null;
}
