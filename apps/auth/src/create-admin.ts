import { parseArgs } from 'node:util';
import { text } from 'node:stream/consumers';
import { MikroORM } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ConfigError, databaseSection, loadConfig, natsSection, quotaDefaultsSection } from '@blockplane/config';
import { emailSchema, passwordSchema } from '@blockplane/contracts';
import { ormOptions } from '@blockplane/database';
import { authDatabase } from './auth.database.js';
import { bootstrapAdmin } from './users/admin-bootstrap.js';

/**
 * The first admin: `create-admin --email <email>`, the password in ADMIN_PASSWORD or on stdin.
 * Creates the account as an admin or promotes an existing one; its event waits in the outbox
 * until the auth service of NATS_NAMESPACE relays it.
 */
const adminSection = z
  .object({ ADMIN_PASSWORD: z.string().optional() })
  .transform((e) => ({ password: e.ADMIN_PASSWORD }));

function fail(message: string): never {
  process.stderr.write(`create-admin: ${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig({
    database: databaseSection,
    nats: natsSection,
    quota: quotaDefaultsSection,
    admin: adminSection,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  fail(error.message);
}
const { values } = parseArgs({ options: { email: { type: 'string' } } });
const email = emailSchema.safeParse(values.email);
if (!email.success) fail('--email <address> is required and must be an email address');
if (config.admin.password === undefined && process.stdin.isTTY)
  fail('set ADMIN_PASSWORD or pipe the password on stdin');
const password = passwordSchema.safeParse(config.admin.password ?? (await text(process.stdin)).replace(/\r?\n$/, ''));
if (!password.success) fail(`the password ${password.error.issues[0]?.message ?? 'is invalid'}`);

const orm = await MikroORM.init(ormOptions(config.database, authDatabase));
try {
  const outcome = await bootstrapAdmin(orm.em, {
    email: email.data,
    password: password.data,
    defaultQuota: config.quota,
    namespace: config.nats.namespace,
  });
  process.stdout.write(`create-admin: ${outcome} admin ${email.data}\n`);
} finally {
  await orm.close();
}
