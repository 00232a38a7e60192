import { type DynamicModule, Module } from '@nestjs/common';
import { FILE_HOST_CONFIG, type FileHostConfig } from './file-host/file-host.config.js';
import { fileHostProviders } from './file-host/file-host.providers.js';
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
  static forRoot(config: ProvisionerConfig, fileHost: FileHostConfig): DynamicModule {
    return {
      module: ProvisionerModule,
      providers: [
        { provide: PROVISIONER_CONFIG, useValue: config },
        { provide: FILE_HOST_CONFIG, useValue: fileHost },
        ProvisionerMetrics,
        KubeClient,
        GameServerRepository,
        StatusPublisher,
        ServerStatusService,
        StatusWatcher,
        ProvisioningService,
        ServerEventsHandler,
        ReconcilerService,
        ...fileHostProviders,
      ],
    };
  }
}
