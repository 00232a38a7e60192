import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@blockplane/contracts';
import { OnEvent } from '@blockplane/messaging';
import { ProvisioningService } from './provisioning.service.js';

/**
 * Servers are provisioned side by side (each event's work holds a database connection for its inbox
 * transaction, so this stays under the pool's 10), and each server's events one after another.
 */
const perServer = { concurrency: 8, orderBy: (event: EventEnvelope<ServerEvent>) => event.data.server.serverId };
type ServerEvent = 'server.requested' | 'server.power-requested' | 'server.delete-requested';

/** The servers service's desired-state changes; each is idempotent, so a redelivery is harmless. */
@Injectable()
export class ServerEventsHandler {
  constructor(private readonly provisioning: ProvisioningService) {}

  @OnEvent('server.requested', perServer)
  async onServerRequested(event: EventEnvelope<'server.requested'>): Promise<void> {
    await this.provisioning.provision(event.data.server);
  }

  @OnEvent('server.power-requested', perServer)
  async onPowerRequested(event: EventEnvelope<'server.power-requested'>): Promise<void> {
    await this.provisioning.power(event.data.server, event.data.action);
  }

  @OnEvent('server.delete-requested', perServer)
  async onDeleteRequested(event: EventEnvelope<'server.delete-requested'>): Promise<void> {
    await this.provisioning.remove(event.data.server.serverId);
  }
}
