import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@blockplane/contracts';
import { OnEvent } from '@blockplane/messaging';
import { ProvisioningService } from './provisioning.service.js';

/** The servers service's desired-state changes; each is idempotent, so a redelivery is harmless. */
@Injectable()
export class ServerEventsHandler {
  constructor(private readonly provisioning: ProvisioningService) {}

  @OnEvent('server.requested')
  async onServerRequested(event: EventEnvelope<'server.requested'>): Promise<void> {
    await this.provisioning.provision(event.data.server);
  }

  @OnEvent('server.power-requested')
  async onPowerRequested(event: EventEnvelope<'server.power-requested'>): Promise<void> {
    await this.provisioning.power(event.data.server, event.data.action);
  }

  @OnEvent('server.delete-requested')
  async onDeleteRequested(event: EventEnvelope<'server.delete-requested'>): Promise<void> {
    await this.provisioning.remove(event.data.server.serverId);
  }
}
