import { databaseSection, quotaDefaultsSection } from '@blockplane/config';
import { DatabaseModule } from '@blockplane/database';
import type { ServiceDefinition } from '@blockplane/service';
import { authDatabase } from './auth.database.js';
import { AuthModule } from './auth.module.js';
import { sessionsSection } from './sessions/sessions.section.js';

const sections = { database: databaseSection, quota: quotaDefaultsSection, sessions: sessionsSection };

export const authApp: ServiceDefinition<typeof sections> = {
  name: 'auth',
  defaultPort: 8081,
  sections,
  modules: (config) => [DatabaseModule.forRoot(config.database, authDatabase), AuthModule.forRoot(config)],
};
