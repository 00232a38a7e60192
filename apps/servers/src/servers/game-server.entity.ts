import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { type ServerStatus, serverStatuses, type ServerType, serverTypes } from '@blockplane/contracts';

export const desiredStates = ['running', 'stopped', 'deleted'] as const;
export type DesiredState = (typeof desiredStates)[number];

/** A game server: what its owner asked for (desired state) and what the cluster last reported (status). */
@Entity({ tableName: 'game_server' })
// Keyset pages in (createdAt, id) order, each one index range scan: an owner's (dashboard, admin list by owner),
// everyone's (desired state, admin list). Gone servers are never listed, so the indexes skip them.
@Index({ properties: ['ownerId', 'createdAt', 'id'], where: { status: { $ne: 'deleted' } } })
@Index({ properties: ['createdAt', 'id'], where: { status: { $ne: 'deleted' } } })
export class GameServer {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  ownerId!: string;

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => [...serverTypes] })
  type!: ServerType;

  @Property({ type: 'text' })
  version!: string;

  @Property({ type: 'text' })
  plan!: string;

  @Property({ type: 'double' })
  cpuCores!: number;

  @Property({ type: 'integer' })
  memoryMb!: number;

  @Property({ type: 'integer' })
  diskGb!: number;

  @Enum({ items: () => [...desiredStates] })
  desiredState!: DesiredState;

  @Enum({ items: () => [...serverStatuses] })
  status!: ServerStatus;

  @Property({ type: 'text', nullable: true })
  statusReason: string | null = null;

  @Property({ type: 'text', nullable: true })
  address: string | null = null;

  /** When the provisioner saw what the status says; older observations are ignored. */
  @Property({ type: 'timestamptz', nullable: true })
  lastObservedAt: Date | null = null;

  /** The first time it ran, for the request-to-running histogram. */
  @Property({ type: 'timestamptz', nullable: true })
  firstRunningAt: Date | null = null;

  /** Milliseconds, like a JS Date: a page cursor holds it exactly. */
  @Property({ type: 'timestamptz', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
