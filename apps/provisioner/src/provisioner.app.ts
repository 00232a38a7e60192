import { databaseSection } from '@blockplane/config';
import { DatabaseModule } from '@blockplane/database';
import type { ServiceDefinition } from '@blockplane/service';
import { fileHostSection } from './file-host/file-host.config.js';
import { provisionerSection } from './provisioner.config.js';
import { provisionerDatabase } from './provisioner.database.js';
import { ProvisionerModule } from './provisioner.module.js';

const sections = { database: databaseSection, provisioner: provisionerSection, fileHost: fileHostSection };

export const provisionerApp: ServiceDefinition<typeof sections> = {
  name: 'provisioner',
  defaultPort: 8083,
  sections,
  modules: (config) => [
    DatabaseModule.forRoot(config.database, provisionerDatabase),
    ProvisionerModule.forRoot(config.provisioner, config.fileHost),
  ],
};
