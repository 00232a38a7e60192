import { Injectable } from '@nestjs/common';
import { GameServerRepository } from '../servers/game-server.repository.js';
import { ServerMetrics } from '../servers/server.metrics.js';
import { type Observation, observe } from './server-status.js';

/** Applies the provisioner's observations to a server's status (see server-status.ts). */
@Injectable()
export class StatusService {
  constructor(
    private readonly servers: GameServerRepository,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Runs inside the event's inbox transaction. */
  async apply(serverId: string, observedAt: string, observation: Observation): Promise<void> {
    const server = await this.servers.lockById(serverId);
    // A server this service never created (or long gone): nothing to update.
    if (!server) return;
    const at = new Date(observedAt);
    const change = observe(server, observation, at);
    if (!change) return;
    Object.assign(server, change);
    if (change.status === 'running' && !server.firstRunningAt) {
      server.firstRunningAt = at;
      this.metrics.firstRunning(server.createdAt, at);
    }
  }
}
