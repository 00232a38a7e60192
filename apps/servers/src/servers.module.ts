import { type DynamicModule, Module } from '@nestjs/common';
import type { QuotaDefaultsConfig } from '@blockplane/config';
import { CatalogueRpc } from './catalogue/catalogue.rpc.js';
import type { CatalogueConfig } from './catalogue/catalogue.section.js';
import { CATALOGUE_CONFIG, CatalogueService } from './catalogue/catalogue.service.js';
import { OwnerQuotaRepository } from './quota/owner-quota.repository.js';
import { QuotaEvents } from './quota/quota.events.js';
import { QUOTA_DEFAULTS, QuotaService } from './quota/quota.service.js';
import { GameServerRepository } from './servers/game-server.repository.js';
import { ServerMetrics } from './servers/server.metrics.js';
import { ServersRpc } from './servers/servers.rpc.js';
import { ServersService } from './servers/servers.service.js';
import { StatusEvents } from './status/status.events.js';
import { StatusService } from './status/status.service.js';

@Module({})
export class ServersModule {
  static forRoot(config: { catalogue: CatalogueConfig; quotaDefaults: QuotaDefaultsConfig }): DynamicModule {
    return {
      module: ServersModule,
      providers: [
        { provide: CATALOGUE_CONFIG, useValue: config.catalogue },
        { provide: QUOTA_DEFAULTS, useValue: config.quotaDefaults },
        CatalogueService,
        CatalogueRpc,
        GameServerRepository,
        OwnerQuotaRepository,
        QuotaService,
        QuotaEvents,
        ServerMetrics,
        ServersService,
        ServersRpc,
        StatusService,
        StatusEvents,
      ],
    };
  }
}
