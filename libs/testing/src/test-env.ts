import { randomBytes } from 'node:crypto';

/** Tests talk to the machine's PostgreSQL and NATS; CI may point them elsewhere. */
export const testEnv = {
  databaseUrl: process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/blockplane_test',
  natsUrl: process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222',
};

/** A NATS namespace of its own, so parallel test files never see each other's subjects or streams. */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}
