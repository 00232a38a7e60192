import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigError, databaseSection, loadConfig } from '@blockplane/config';
import { ormOptions, type ServiceDatabase } from './orm-options.js';

/**
 * A service's migration command, run as a deploy step (never at boot):
 *   `up`      applies pending migrations (creating the database and schema when missing);
 *   `create`  writes a new TypeScript migration from the difference between entities and database.
 */
export async function runMigrationCommand(
  service: string,
  database: ServiceDatabase,
  argv = process.argv.slice(2),
): Promise<void> {
  const [command = 'up', name] = argv;
  let config;
  try {
    config = loadConfig({ database: databaseSection }).database;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service} migrate: ${error.message}\n`);
    process.exit(1);
  }
  const orm = await MikroORM.init(ormOptions(config, database));
  try {
    await orm.schema.ensureDatabase({ create: true });
    await orm.em.getConnection().execute(`create schema if not exists "${database.schema}"`);
    switch (command) {
      case 'up': {
        const applied = await orm.migrator.up();
        process.stdout.write(`${service}: ${applied.length} migration(s) applied to schema ${database.schema}\n`);
        break;
      }
      case 'create': {
        const result = await orm.migrator.create(undefined, false, false, name);
        process.stdout.write(
          result.diff.up.length > 0 ? `${service}: wrote ${result.fileName}\n` : `${service}: no changes\n`,
        );
        break;
      }
      default:
        process.stderr.write(`${service} migrate: unknown command "${command}" (expected up or create)\n`);
        process.exitCode = 2;
    }
  } finally {
    await orm.close();
  }
}
