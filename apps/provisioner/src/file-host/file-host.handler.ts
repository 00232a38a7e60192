import { Injectable } from '@nestjs/common';
import type { EventEnvelope, RpcPayload, RpcResponse } from '@blockplane/contracts';
import { OnEvent, OnRpc } from '@blockplane/messaging';
import { FileHostService } from './file-host.service.js';

/** The files service asks where to run; a server about to start gets its volume back at once. */
@Injectable()
export class FileHostHandler {
  constructor(private readonly fileHosts: FileHostService) {}

  @OnRpc('provisioner.file-host.acquire')
  acquire({
    serverId,
  }: RpcPayload<'provisioner.file-host.acquire'>): Promise<RpcResponse<'provisioner.file-host.acquire'>> {
    return this.fileHosts.acquire(serverId);
  }

  @OnEvent('server.power-requested', { consumer: 'file-host-on-power' })
  async onPowerRequested(event: EventEnvelope<'server.power-requested'>): Promise<void> {
    if (event.data.action === 'start' || event.data.action === 'restart') {
      await this.fileHosts.release(event.data.server.serverId);
    }
  }

  @OnEvent('server.requested', { consumer: 'file-host-on-requested' })
  async onRequested(event: EventEnvelope<'server.requested'>): Promise<void> {
    if (event.data.server.desiredState === 'running') await this.fileHosts.release(event.data.server.serverId);
  }
}
