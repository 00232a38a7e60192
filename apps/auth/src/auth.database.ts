import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@blockplane/database';

const here = dirname(fileURLToPath(import.meta.url));

export const authDatabase: ServiceDatabase = {
  schema: 'auth',
  entities: [],
  migrations: { path: join(here, 'migrations'), pathTs: join(here, '..', 'src', 'migrations') },
};
