import { runMigrationCommand } from '@blockplane/database';
import { provisionerDatabase } from './provisioner.database.js';

await runMigrationCommand('provisioner', provisionerDatabase);
