// jest's global setup: applies every service's migrations to the test database once, with the real command.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { testEnv } from '@blockplane/testing';

export default function globalSetup() {
  for (const service of ['auth', 'servers', 'provisioner']) {
    const command = `apps/${service}/dist/migrate.js`;
    if (!existsSync(command)) throw new Error(`${command} is missing: run \`npm run build\` before jest`);
    execFileSync(process.execPath, [command, 'up'], {
      env: { ...process.env, DATABASE_URL: testEnv.databaseUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
}
