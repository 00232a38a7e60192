import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@blockplane/database';
import { Subuser } from './access/subuser.entity.js';
import { Account } from './accounts/account.entity.js';
import { Activity } from './activity/activity.entity.js';
import { OwnerQuota } from './quota/owner-quota.entity.js';
import { GameServer } from './servers/game-server.entity.js';

const here = dirname(fileURLToPath(import.meta.url));

export const serversDatabase: ServiceDatabase = {
  schema: 'servers',
  entities: [GameServer, OwnerQuota, Account, Subuser, Activity],
  migrations: { path: join(here, 'migrations'), pathTs: join(here, '..', 'src', 'migrations') },
};
