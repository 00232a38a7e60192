import { databaseSection } from '@blockplane/config';
import { DatabaseModule } from '@blockplane/database';
import type { ServiceDefinition } from '@blockplane/service';
import { provisionerDatabase } from './provisioner.database.js';

const sections = { database: databaseSection };

export const provisionerApp: ServiceDefinition<typeof sections> = {
  name: 'provisioner',
  defaultPort: 8083,
  sections,
  modules: (config) => [DatabaseModule.forRoot(config.database, provisionerDatabase)],
};
