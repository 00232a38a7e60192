import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDatabase } from '@blockplane/database';
import { ApiKey } from './api-keys/api-key.entity.js';
import { SigningKey } from './keys/signing-key.entity.js';
import { PasswordResetToken } from './password-reset/password-reset-token.entity.js';
import { RateLimit } from './rate-limits/rate-limit.entity.js';
import { RefreshToken } from './sessions/refresh-token.entity.js';
import { User } from './users/user.entity.js';

const here = dirname(fileURLToPath(import.meta.url));

export const authDatabase: ServiceDatabase = {
  schema: 'auth',
  entities: [User, RefreshToken, SigningKey, PasswordResetToken, ApiKey, RateLimit],
  migrations: { path: join(here, 'migrations'), pathTs: join(here, '..', 'src', 'migrations') },
};
