import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import type { QuotaDefaultsConfig } from '@blockplane/config';
import { AdminRpc } from './admin/admin.rpc.js';
import { AdminUsersService } from './admin/admin-users.service.js';
import { ApiKeyRepository } from './api-keys/api-key.repository.js';
import { ApiKeysRpc } from './api-keys/api-keys.rpc.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { ExpiredRowsSweeper } from './housekeeping/expired-rows.sweeper.js';
import { KeysRpc } from './keys/keys.rpc.js';
import { SigningKeyRepository } from './keys/signing-key.repository.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { LogMailer, MAILER, type Mailer, PASSWORD_RESET_CONFIG } from './password-reset/mailer.js';
import { PasswordResetRpc } from './password-reset/password-reset.rpc.js';
import type { PasswordResetConfig } from './password-reset/password-reset.section.js';
import { PasswordResetService } from './password-reset/password-reset.service.js';
import { PasswordResetTokenRepository } from './password-reset/password-reset-token.repository.js';
import { RATE_LIMITS, RateLimiter } from './rate-limits/rate-limiter.js';
import type { RateLimitsConfig } from './rate-limits/rate-limits.section.js';
import { RefreshTokenRepository } from './sessions/refresh-token.repository.js';
import type { SessionsConfig } from './sessions/sessions.section.js';
import { SESSIONS_CONFIG, SessionsService } from './sessions/sessions.service.js';
import { SessionsRpc } from './sessions/sessions.rpc.js';
import { PasswordHasher } from './users/password-hasher.js';
import { UserRepository } from './users/user.repository.js';
import { QUOTA_DEFAULTS, UsersService } from './users/users.service.js';
import { UsersRpc } from './users/users.rpc.js';

export interface AuthConfig {
  quota: QuotaDefaultsConfig;
  sessions: SessionsConfig;
  rateLimits: RateLimitsConfig;
  passwordReset: PasswordResetConfig;
}

/** What may replace a real collaborator: tests capture mail instead of logging it. */
export interface AuthOverrides {
  mailer?: Mailer;
}

/** Accounts, sessions, API keys, password reset and the keys that sign access tokens, answered over RPC. */
@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig, overrides: AuthOverrides = {}): DynamicModule {
    const mailer: Provider = overrides.mailer
      ? { provide: MAILER, useValue: overrides.mailer }
      : { provide: MAILER, useClass: LogMailer };
    return {
      module: AuthModule,
      providers: [
        { provide: QUOTA_DEFAULTS, useValue: config.quota },
        { provide: SESSIONS_CONFIG, useValue: config.sessions },
        { provide: RATE_LIMITS, useValue: config.rateLimits },
        { provide: PASSWORD_RESET_CONFIG, useValue: config.passwordReset },
        mailer,
        UserRepository,
        RefreshTokenRepository,
        SigningKeyRepository,
        PasswordResetTokenRepository,
        ApiKeyRepository,
        PasswordHasher,
        RateLimiter,
        UsersService,
        SessionsService,
        SigningKeysService,
        PasswordResetService,
        AdminUsersService,
        ApiKeysService,
        ExpiredRowsSweeper,
        UsersRpc,
        SessionsRpc,
        KeysRpc,
        PasswordResetRpc,
        AdminRpc,
        ApiKeysRpc,
      ],
    };
  }
}
