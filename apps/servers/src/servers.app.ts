import { databaseSection, quotaDefaultsSection } from '@blockplane/config';
import { DatabaseModule } from '@blockplane/database';
import type { ServiceDefinition } from '@blockplane/service';
import { catalogueSection } from './catalogue/catalogue.section.js';
import { serversDatabase } from './servers.database.js';
import { ServersModule } from './servers.module.js';

const sections = { database: databaseSection, catalogue: catalogueSection, quotaDefaults: quotaDefaultsSection };

export const serversApp: ServiceDefinition<typeof sections> = {
  name: 'servers',
  defaultPort: 8082,
  sections,
  modules: (config) => [DatabaseModule.forRoot(config.database, serversDatabase), ServersModule.forRoot(config)],
};
