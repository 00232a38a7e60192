import { Injectable } from '@nestjs/common';
import type { PowerAction, ServerSpec } from '@blockplane/contracts';
import { EventPublisher } from '@blockplane/messaging';
import { currentTraceHeaders } from '@blockplane/observability';
import { ServerStatusService } from '../status/server-status.service.js';
import { GameServerRepository } from './game-server.repository.js';

const DELETE_DEADLINE_MS = 20_000;

/** What each desired-state change means in Kubernetes objects. */
@Injectable()
export class ProvisioningService {
  constructor(
    private readonly repository: GameServerRepository,
    private readonly publisher: EventPublisher,
    private readonly status: ServerStatusService,
  ) {}

  async provision(spec: ServerSpec): Promise<void> {
    if (spec.desiredState === 'deleted') return this.remove(spec.serverId);
    // Stamped before the first write: every pod observation that follows is newer, so the servers
    // service (which keeps the newest) never drops a pod.ready that beat this announcement.
    const observedAt = new Date().toISOString();
    await this.apply(spec, spec.desiredState === 'running' ? 1 : 0);
    await this.publisher.publish('server.provisioned', { serverId: spec.serverId, observedAt });
  }

  async power(spec: ServerSpec, action: PowerAction): Promise<void> {
    switch (action) {
      case 'start':
        return this.apply(spec, 1);
      case 'stop':
        return this.apply(spec, 0);
      case 'restart':
        this.status.changeRequested(spec.serverId, currentTraceHeaders());
        return this.repository.deletePod(spec.serverId);
      case 'kill':
        this.status.changeRequested(spec.serverId, currentTraceHeaders());
        return this.repository.deletePod(spec.serverId, 0);
    }
  }

  /** Secret first (the pod reads it at start), then the StatefulSet, then what it owns. */
  async apply(spec: ServerSpec, replicas: number): Promise<void> {
    this.status.changeRequested(spec.serverId, currentTraceHeaders());
    await this.repository.ensureNamespace();
    await this.repository.ensureSecret(spec);
    const statefulSet = await this.repository.ensureStatefulSet(spec, replicas);
    const owner = { uid: statefulSet.metadata?.uid ?? '' };
    await Promise.all([this.repository.adoptSecret(spec, owner), this.repository.ensureService(spec, owner)]);
  }

  /** Deletes everything, waits until it is gone, then says so. */
  async remove(serverId: string): Promise<void> {
    await this.repository.deleteAll(serverId);
    const deadline = Date.now() + DELETE_DEADLINE_MS;
    for (let wait = 50; !(await this.repository.isGone(serverId)); wait = Math.min(1_000, wait * 2)) {
      if (Date.now() > deadline) throw new Error(`the objects of server ${serverId} are still there`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.status.forget(serverId);
    await this.publisher.publish('server.deleted', { serverId, observedAt: new Date().toISOString() });
  }
}
