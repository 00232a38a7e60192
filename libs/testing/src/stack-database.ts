import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repositoryRoot } from './service-process.js';
import { testEnv } from './test-env.js';

const run = promisify(execFile);
const migratedServices = ['auth', 'servers', 'provisioner'];

/**
 * A database of one stack's own, migrated with the real command. Stacks must not share one:
 * every outbox relay publishes whatever rows it finds, and the provisioner reconciles every
 * server in the table, so a shared database would leak events and servers between stacks.
 */
export class StackDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(name: string): Promise<StackDatabase> {
    const url = new URL(testEnv.databaseUrl);
    url.pathname = `/${name}`;
    const database = new StackDatabase(name, url.toString());
    await database.admin(`create database ${name}`);
    await Promise.all(
      migratedServices.map((service) =>
        run(process.execPath, [`apps/${service}/dist/migrate.js`, 'up'], {
          cwd: repositoryRoot,
          env: { ...process.env, DATABASE_URL: database.url },
        }),
      ),
    );
    return database;
  }

  /** Runs one SQL statement in this database; answers its rows as tab-separated lines. */
  async query(sql: string): Promise<string[]> {
    const { stdout } = await run('psql', [this.url, '-XAtq', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    return stdout.split('\n').filter(Boolean);
  }

  drop(): Promise<void> {
    return this.admin(`drop database if exists ${this.name} with (force)`);
  }

  private async admin(sql: string): Promise<void> {
    const url = new URL(testEnv.databaseUrl);
    url.pathname = '/postgres';
    await run('psql', [url.toString(), '-Xq', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
  }
}
