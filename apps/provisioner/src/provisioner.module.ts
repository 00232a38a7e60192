import { type DynamicModule, Module } from '@nestjs/common';
import { GameServerRepository } from './game/game-server.repository.js';
import { ProvisioningService } from './game/provisioning.service.js';
import { ServerEventsHandler } from './game/server-events.handler.js';
import { KubeClient } from './kube/kube-client.js';
import { PROVISIONER_CONFIG, type ProvisionerConfig } from './provisioner.config.js';
import { ProvisionerMetrics } from './provisioner.metrics.js';
import { ReconcilerService } from './reconcile/reconciler.service.js';
import { ServerStatusService } from './status/server-status.service.js';
import { StatusPublisher } from './status/status-publisher.js';
import { StatusWatcher } from './status/status-watcher.js';

@Module({})
export class ProvisionerModule {
  static forRoot(config: ProvisionerConfig): DynamicModule {
    return {
      module: ProvisionerModule,
      providers: [
        { provide: PROVISIONER_CONFIG, useValue: config },
        ProvisionerMetrics,
        KubeClient,
        GameServerRepository,
        StatusPublisher,
        ServerStatusService,
        StatusWatcher,
        ProvisioningService,
        ServerEventsHandler,
        ReconcilerService,
      ],
    };
  }
}
