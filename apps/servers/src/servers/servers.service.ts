import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type {
  Actor,
  AdminServerPage,
  AdminServersQuery,
  CreateServerRequest,
  Dashboard,
  PowerAction,
  Server,
  ServerSpec,
  Usage,
} from '@blockplane/contracts';
import { Outbox } from '@blockplane/database';
import { AccessService } from '../access/access.service.js';
import { accessOf, assertAdmin, serverNotFound } from '../access/server-access.js';
import { AccountRepository } from '../accounts/account.repository.js';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { nextCursorOf, positionAfter } from '@blockplane/database';
import { claimOf, noClaim } from '../quota/claim.js';
import type { OwnerQuota } from '../quota/owner-quota.entity.js';
import { QuotaService } from '../quota/quota.service.js';
import { power } from '../status/server-status.js';
import { GameServer } from './game-server.entity.js';
import { GameServerRepository } from './game-server.repository.js';
import { ServerMetrics } from './server.metrics.js';
import { toServer, toSpec } from './server.view.js';

/** Which page a caller asks for: at most `limit` rows after the (opaque) `cursor`. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/**
 * Commands on game servers: each change, its claim on the owner's quota totals and its event commit
 * together (outbox). Who may reach a server is the access module's answer; which permission a
 * route needs is the gateway's.
 */
@Injectable()
export class ServersService {
  constructor(
    private readonly em: EntityManager,
    private readonly servers: GameServerRepository,
    private readonly catalogue: CatalogueService,
    private readonly quota: QuotaService,
    private readonly access: AccessService,
    private readonly accounts: AccountRepository,
    private readonly outbox: Outbox,
    private readonly metrics: ServerMetrics,
  ) {}

  async create(actor: Actor, request: CreateServerRequest): Promise<Server> {
    const resources = this.catalogue.resolve(request);
    const server = await this.em.transactional(async () => {
      const quota = await this.quota.lock(actor.userId);
      const created = Object.assign(new GameServer(), {
        id: randomUUID(),
        ownerId: actor.userId,
        ...request,
        ...resources,
        desiredState: 'running',
        status: 'creating',
      } satisfies Partial<GameServer>);
      await this.quota.move(quota, noClaim, claimOf(created));
      this.servers.add(created);
      this.outbox.stage('server.requested', { server: toSpec(created) });
      return created;
    });
    this.metrics.created();
    return toServer(server);
  }

  get(actor: Actor, serverId: string): Promise<Server> {
    return this.read(async () => {
      await this.access.resolve(actor, serverId);
      const server = await this.servers.findById(serverId);
      if (!server) throw serverNotFound(serverId);
      return toServer(server);
    });
  }

  /** One page of the servers the actor owns or is a sub-user of, and their own usage (one row). */
  dashboard(actor: Actor, { limit, cursor }: PageRequest): Promise<Dashboard> {
    const after = positionAfter(cursor);
    return this.read(async () => {
      const [page, usage] = await Promise.all([
        this.servers.pageAccessibleBy(actor.userId, limit, after),
        this.quota.usage(actor.userId),
      ]);
      const servers = page.items.flatMap((row) => {
        const access = accessOf(actor, row.ownerId, row.shared);
        return access ? [{ ...toServer(row), access: access.kind, permissions: access.permissions }] : [];
      });
      return { servers, usage, nextCursor: nextCursorOf(page) };
    });
  }

  usage(actor: Actor): Promise<Usage> {
    return this.read(() => this.quota.usage(actor.userId));
  }

  power(actor: Actor, serverId: string, action: PowerAction): Promise<Server> {
    return this.command(actor, serverId, (quota, server) => this.applyPower(quota, server, action));
  }

  async delete(actor: Actor, serverId: string): Promise<Server> {
    const server = await this.command(actor, serverId, async (quota, locked) => {
      const before = claimOf(locked);
      // Its quota is free as soon as the owner no longer wants it, and nobody else reaches it any more.
      Object.assign(locked, { desiredState: 'deleted', status: 'deleting', statusReason: null });
      await this.quota.move(quota, before, claimOf(locked));
      await this.access.endSubusersOf(serverId);
      this.outbox.stage('server.delete-requested', { server: toSpec(locked) });
    });
    this.metrics.deleted();
    return server;
  }

  /** Stops every server of the owner that is meant to run, as a power stop would (suspension). */
  async stopAllOf(quota: OwnerQuota): Promise<void> {
    for (const server of await this.servers.lockRunningOf(quota.userId)) await this.applyPower(quota, server, 'stop');
  }

  desiredState({ limit, cursor }: PageRequest): Promise<{ servers: ServerSpec[]; nextCursor: string | null }> {
    const after = positionAfter(cursor);
    return this.read(async () => {
      const page = await this.servers.pageNotDeleted(limit, after);
      return { servers: page.items.map(toSpec), nextCursor: nextCursorOf(page) };
    });
  }

  /** Every server not gone, with its owner's email: admins only. */
  adminList(actor: Actor, { limit, cursor, ownerId }: AdminServersQuery): Promise<AdminServerPage> {
    assertAdmin(actor);
    const after = positionAfter(cursor);
    return this.read(async () => {
      const page = await this.servers.pageNotDeleted(limit, after, ownerId);
      const emails = await this.accounts.emailsOf(page.items.map((server) => server.ownerId));
      const servers = page.items.map((server) => ({
        ...toServer(server),
        ownerEmail: emails.get(server.ownerId) ?? null,
      }));
      return { servers, nextCursor: nextCursorOf(page) };
    });
  }

  /**
   * Runs a command on a server the actor reaches, under the owner's quota lock and then the server's
   * (in that order in every transaction that takes both).
   */
  private async command(
    actor: Actor,
    serverId: string,
    change: (quota: OwnerQuota, server: GameServer) => Promise<void>,
  ): Promise<Server> {
    const server = await this.em.transactional(async () => {
      const { ownerId } = await this.access.resolve(actor, serverId);
      const quota = await this.quota.lock(ownerId);
      const locked = await this.servers.lockLive(serverId);
      await change(quota, locked);
      return locked;
    });
    return toServer(server);
  }

  private async applyPower(quota: OwnerQuota, server: GameServer, action: PowerAction): Promise<void> {
    const before = claimOf(server);
    Object.assign(server, power(server, action), { statusReason: null });
    await this.quota.move(quota, before, claimOf(server));
    this.outbox.stage('server.power-requested', { server: toSpec(server), action });
  }

  private read<T>(work: () => Promise<T>): Promise<T> {
    return RequestContext.create(this.em, work);
  }
}
