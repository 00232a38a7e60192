import { runMigrationCommand } from '@blockplane/database';
import { authDatabase } from './auth.database.js';

await runMigrationCommand('auth', authDatabase);
