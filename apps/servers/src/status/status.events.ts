import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@blockplane/contracts';
import { OnEvent } from '@blockplane/messaging';
import type { Observation } from './server-status.js';
import { StatusService } from './status.service.js';

/**
 * Servers side by side, each server's observations one after another (observedAt orders them anyway;
 * this keeps a server's row lock uncontended). Seven consumers at 4 already ask for more connections
 * than the pool's 10.
 */
const perServer = { concurrency: 4, orderBy: (event: EventEnvelope<Observation['type']>) => event.data.serverId };

/** The provisioner's observations, one durable consumer each. */
@Injectable()
export class StatusEvents {
  constructor(private readonly status: StatusService) {}

  @OnEvent('server.provisioned', perServer)
  serverProvisioned({ data }: EventEnvelope<'server.provisioned'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'server.provisioned' });
  }

  @OnEvent('pod.scheduled', perServer)
  podScheduled({ data }: EventEnvelope<'pod.scheduled'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'pod.scheduled' });
  }

  @OnEvent('pod.pending', perServer)
  podPending({ data }: EventEnvelope<'pod.pending'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'pod.pending', reason: data.reason });
  }

  @OnEvent('pod.ready', perServer)
  podReady({ data }: EventEnvelope<'pod.ready'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'pod.ready', address: data.address });
  }

  @OnEvent('pod.failed', perServer)
  podFailed({ data }: EventEnvelope<'pod.failed'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'pod.failed', reason: data.reason });
  }

  @OnEvent('server.stopped', perServer)
  serverStopped({ data }: EventEnvelope<'server.stopped'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'server.stopped' });
  }

  @OnEvent('server.deleted', perServer)
  serverDeleted({ data }: EventEnvelope<'server.deleted'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'server.deleted' });
  }
}
