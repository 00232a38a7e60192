import { type DynamicModule, Module } from '@nestjs/common';
import type { QuotaDefaultsConfig } from '@blockplane/config';
import { KeysRpc } from './keys/keys.rpc.js';
import { SigningKeyRepository } from './keys/signing-key.repository.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { RefreshTokenRepository } from './sessions/refresh-token.repository.js';
import type { SessionsConfig } from './sessions/sessions.section.js';
import { SESSIONS_CONFIG, SessionsService } from './sessions/sessions.service.js';
import { SessionsRpc } from './sessions/sessions.rpc.js';
import { PasswordHasher } from './users/password-hasher.js';
import { UserRepository } from './users/user.repository.js';
import { QUOTA_DEFAULTS, UsersService } from './users/users.service.js';
import { UsersRpc } from './users/users.rpc.js';

/** Accounts, sessions and the keys that sign access tokens, answered over RPC. */
@Module({})
export class AuthModule {
  static forRoot(config: { quota: QuotaDefaultsConfig; sessions: SessionsConfig }): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: QUOTA_DEFAULTS, useValue: config.quota },
        { provide: SESSIONS_CONFIG, useValue: config.sessions },
        UserRepository,
        RefreshTokenRepository,
        SigningKeyRepository,
        PasswordHasher,
        UsersService,
        SessionsService,
        SigningKeysService,
        UsersRpc,
        SessionsRpc,
        KeysRpc,
      ],
    };
  }
}
