import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RpcResponse } from '@blockplane/contracts';
import { AccessService } from '../access/access.service.js';
import { serverNotFound } from '../access/server-access.js';
import { claimOf } from '../quota/claim.js';
import { QuotaService } from '../quota/quota.service.js';
import { GameServerRepository } from '../servers/game-server.repository.js';
import { ServerMetrics } from '../servers/server.metrics.js';
import { type Observation, observe } from './server-status.js';

/** Applies the provisioner's observations to a server's status (see server-status.ts). */
@Injectable()
export class StatusService {
  constructor(
    private readonly em: EntityManager,
    private readonly servers: GameServerRepository,
    private readonly quota: QuotaService,
    private readonly access: AccessService,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Runs inside the event's inbox transaction. */
  async apply(serverId: string, observedAt: string, observation: Observation): Promise<void> {
    const ownerId = await this.servers.ownerOf(serverId);
    // A server this service never created: nothing to update.
    if (!ownerId) return;
    // A server seen gone frees its claim: the owner's quota row first, as in every transaction that takes both.
    const quota = await this.quota.lock(ownerId);
    const server = await this.servers.lockById(serverId);
    if (!server) return;
    const at = new Date(observedAt);
    const change = observe(server, observation, at);
    if (!change) return;
    const before = claimOf(server);
    Object.assign(server, change);
    await this.quota.move(quota, before, claimOf(server));
    if (change.status === 'deleted') await this.access.endSubusersOf(serverId);
    if (change.status === 'running' && !server.firstRunningAt) {
      server.firstRunningAt = at;
      this.metrics.firstRunning(server.createdAt, at);
    }
  }

  /**
   * A server's status and its reason (a deleted server's too, so its last viewers see it go), and when it was
   * read. Taking the row's lock waits for a change in progress (every status change holds it), so any
   * `server.status-changed` stamped before `at` is in the answer, and any later one comes after it. Asked
   * once per watched server, so the lock costs nothing.
   */
  current(serverId: string): Promise<RpcResponse<'servers.status'>> {
    return this.em.transactional(async () => {
      const server = await this.servers.lockById(serverId);
      if (!server) throw serverNotFound(serverId);
      return { status: server.status, reason: server.statusReason, at: new Date().toISOString() };
    });
  }
}
