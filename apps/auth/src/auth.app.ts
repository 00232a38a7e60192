import { databaseSection } from '@blockplane/config';
import { DatabaseModule } from '@blockplane/database';
import type { ServiceDefinition } from '@blockplane/service';
import { authDatabase } from './auth.database.js';

const sections = { database: databaseSection };

export const authApp: ServiceDefinition<typeof sections> = {
  name: 'auth',
  defaultPort: 8081,
  sections,
  modules: (config) => [DatabaseModule.forRoot(config.database, authDatabase)],
};
