import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@blockplane/contracts';
import { OnEvent } from '@blockplane/messaging';
import { StatusService } from './status.service.js';

/** The provisioner's observations, one durable consumer each. */
@Injectable()
export class StatusEvents {
  constructor(private readonly status: StatusService) {}

  @OnEvent('server.provisioned')
  serverProvisioned({ data }: EventEnvelope<'server.provisioned'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'server.provisioned' });
  }

  @OnEvent('pod.scheduled')
  podScheduled({ data }: EventEnvelope<'pod.scheduled'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'pod.scheduled' });
  }

  @OnEvent('pod.pending')
  podPending({ data }: EventEnvelope<'pod.pending'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'pod.pending', reason: data.reason });
  }

  @OnEvent('pod.ready')
  podReady({ data }: EventEnvelope<'pod.ready'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'pod.ready', address: data.address });
  }

  @OnEvent('pod.failed')
  podFailed({ data }: EventEnvelope<'pod.failed'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'pod.failed', reason: data.reason });
  }

  @OnEvent('server.stopped')
  serverStopped({ data }: EventEnvelope<'server.stopped'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'server.stopped' });
  }

  @OnEvent('server.deleted')
  serverDeleted({ data }: EventEnvelope<'server.deleted'>): Promise<void> {
    return this.status.apply(data.serverId, data.observedAt, { type: 'server.deleted' });
  }
}
