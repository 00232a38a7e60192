import { databaseSection } from '@blockplane/config';
import { DatabaseModule } from '@blockplane/database';
import type { ServiceDefinition } from '@blockplane/service';
import { serversDatabase } from './servers.database.js';

const sections = { database: databaseSection };

export const serversApp: ServiceDefinition<typeof sections> = {
  name: 'servers',
  defaultPort: 8082,
  sections,
  modules: (config) => [DatabaseModule.forRoot(config.database, serversDatabase)],
};
