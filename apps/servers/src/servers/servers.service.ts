import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  type Actor,
  type CreateServerRequest,
  type Dashboard,
  DomainError,
  type PowerAction,
  type Server,
  type ServerSpec,
  type Usage,
} from '@blockplane/contracts';
import { Outbox } from '@blockplane/database';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { QuotaService } from '../quota/quota.service.js';
import { power } from '../status/server-status.js';
import { GameServer } from './game-server.entity.js';
import { GameServerRepository } from './game-server.repository.js';
import { ServerMetrics } from './server.metrics.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { toServer, toSpec } from './server.view.js';

/** Which page a caller asks for: at most `limit` rows after the (opaque) `cursor`. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** The owner's commands on game servers: each change and its event commit together (outbox). */
@Injectable()
export class ServersService {
  constructor(
    private readonly em: EntityManager,
    private readonly servers: GameServerRepository,
    private readonly catalogue: CatalogueService,
    private readonly quota: QuotaService,
    private readonly outbox: Outbox,
    private readonly metrics: ServerMetrics,
  ) {}

  async create(actor: Actor, request: CreateServerRequest): Promise<Server> {
    const resources = this.catalogue.resolve(request);
    const server = await this.em.transactional(async () => {
      await this.quota.claim(actor.userId, { servers: 1, ...resources });
      const created = Object.assign(new GameServer(), {
        id: randomUUID(),
        ownerId: actor.userId,
        ...request,
        ...resources,
        desiredState: 'running',
        status: 'creating',
      } satisfies Partial<GameServer>);
      this.servers.add(created);
      this.outbox.stage('server.requested', { server: toSpec(created) });
      return created;
    });
    this.metrics.created();
    return toServer(server);
  }

  get(actor: Actor, serverId: string): Promise<Server> {
    return this.read(async () => toServer(await this.visible(actor, serverId)));
  }

  /** One page of the actor's servers and their usage over all of them (one aggregate query). */
  dashboard(actor: Actor, { limit, cursor }: PageRequest): Promise<Dashboard> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    return this.read(async () => {
      const [page, usage] = await Promise.all([
        this.servers.pageByOwner(actor.userId, limit, after),
        this.quota.usage(actor.userId),
      ]);
      return { servers: page.items.map(toServer), usage, nextCursor: page.next && encodeCursor(page.next) };
    });
  }

  usage(actor: Actor): Promise<Usage> {
    return this.read(() => this.quota.usage(actor.userId));
  }

  async power(actor: Actor, serverId: string, action: PowerAction): Promise<Server> {
    const { ownerId } = await this.read(() => this.visible(actor, serverId));
    const server = await this.em.transactional(async () => {
      // Quota row before server row, in every transaction that takes both.
      if (action === 'start') await this.quota.lock(ownerId);
      const locked = await this.lockLive(serverId);
      const change = power(locked, action);
      if (locked.desiredState !== 'running' && change.desiredState === 'running') {
        await this.quota.claim(ownerId, {
          servers: 0,
          cpuCores: locked.cpuCores,
          memoryMb: locked.memoryMb,
          diskGb: 0,
        });
      }
      Object.assign(locked, change, { statusReason: null });
      this.outbox.stage('server.power-requested', { server: toSpec(locked), action });
      return locked;
    });
    return toServer(server);
  }

  async delete(actor: Actor, serverId: string): Promise<Server> {
    await this.read(() => this.visible(actor, serverId));
    const server = await this.em.transactional(async () => {
      const locked = await this.lockLive(serverId);
      // Its quota is free as soon as the owner no longer wants it.
      Object.assign(locked, { desiredState: 'deleted', status: 'deleting', statusReason: null });
      this.outbox.stage('server.delete-requested', { server: toSpec(locked) });
      return locked;
    });
    this.metrics.deleted();
    return toServer(server);
  }

  desiredState({ limit, cursor }: PageRequest): Promise<{ servers: ServerSpec[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    return this.read(async () => {
      const page = await this.servers.pageNotDeleted(limit, after);
      return { servers: page.items.map(toSpec), nextCursor: page.next && encodeCursor(page.next) };
    });
  }

  /** A server the actor may see (its own, or any for an admin); anything else does not exist for them. */
  private async visible(actor: Actor, serverId: string): Promise<GameServer> {
    const server = await this.servers.findById(serverId);
    if (!server || (server.ownerId !== actor.userId && actor.role !== 'admin')) throw notFound(serverId);
    return server;
  }

  /** Locks a server for a command; one being deleted takes none. */
  private async lockLive(serverId: string): Promise<GameServer> {
    const server = await this.servers.lockById(serverId);
    if (!server) throw notFound(serverId);
    if (server.desiredState === 'deleted') {
      throw new DomainError('CONFLICT', `server ${serverId} is ${server.status}`, { status: server.status });
    }
    return server;
  }

  private read<T>(work: () => Promise<T>): Promise<T> {
    return RequestContext.create(this.em, work);
  }
}

function notFound(serverId: string): DomainError {
  return new DomainError('NOT_FOUND', `server ${serverId} not found`);
}
