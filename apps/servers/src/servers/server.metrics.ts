import { Injectable } from '@nestjs/common';
import { serverStatuses } from '@blockplane/contracts';
import { Counter, Gauge, Histogram, Registry } from '@blockplane/observability';
import { GameServerRepository } from './game-server.repository.js';

/** The servers service's domain metrics; the status gauge is counted at scrape time. */
@Injectable()
export class ServerMetrics {
  private readonly creations: Counter;
  private readonly deletions: Counter;
  private readonly timeToRunning: Histogram;

  constructor(registry: Registry, servers: GameServerRepository) {
    const registers = [registry];
    this.creations = new Counter({ name: 'panel_server_creations_total', help: 'Servers created', registers });
    this.deletions = new Counter({ name: 'panel_server_deletions_total', help: 'Servers deleted', registers });
    this.timeToRunning = new Histogram({
      name: 'panel_server_time_to_running_seconds',
      help: 'Time from a server being requested to its first ready pod',
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    });
    new Gauge({
      name: 'panel_servers',
      help: 'Servers by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await servers.countByStatus();
        for (const status of serverStatuses) this.set({ status }, counts.get(status) ?? 0);
      },
    });
  }

  created(): void {
    this.creations.inc();
  }

  deleted(): void {
    this.deletions.inc();
  }

  firstRunning(createdAt: Date, runningAt: Date): void {
    this.timeToRunning.observe((runningAt.getTime() - createdAt.getTime()) / 1000);
  }
}
