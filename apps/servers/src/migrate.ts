import { runMigrationCommand } from '@blockplane/database';
import { serversDatabase } from './servers.database.js';

await runMigrationCommand('servers', serversDatabase);
