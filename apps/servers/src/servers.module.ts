import { type DynamicModule, Module } from '@nestjs/common';
import type { QuotaDefaultsConfig } from '@blockplane/config';
import { AccessRpc } from './access/access.rpc.js';
import { AccessService } from './access/access.service.js';
import { SubuserRepository } from './access/subuser.repository.js';
import { SubusersService } from './access/subusers.service.js';
import { AccountEvents } from './accounts/account.events.js';
import { AccountRepository } from './accounts/account.repository.js';
import { AccountsService } from './accounts/accounts.service.js';
import { ActivityEvents } from './activity/activity.events.js';
import { ActivityRepository } from './activity/activity.repository.js';
import { ActivityRpc } from './activity/activity.rpc.js';
import { ActivityService } from './activity/activity.service.js';
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
import { StatusChangeAnnouncer } from './status/status-change.announcer.js';
import { StatusEvents } from './status/status.events.js';
import { StatusRpc } from './status/status.rpc.js';
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
        AccountRepository,
        AccountsService,
        AccountEvents,
        SubuserRepository,
        AccessService,
        SubusersService,
        AccessRpc,
        GameServerRepository,
        OwnerQuotaRepository,
        QuotaService,
        QuotaEvents,
        ServerMetrics,
        ServersService,
        ServersRpc,
        StatusService,
        StatusEvents,
        StatusRpc,
        StatusChangeAnnouncer,
        ActivityRepository,
        ActivityService,
        ActivityEvents,
        ActivityRpc,
      ],
    };
  }
}
