import { databaseSection, quotaDefaultsSection } from '@blockplane/config';
import { DatabaseModule } from '@blockplane/database';
import type { ServiceDefinition } from '@blockplane/service';
import { authDatabase } from './auth.database.js';
import { AuthModule, type AuthOverrides } from './auth.module.js';
import { passwordResetSection } from './password-reset/password-reset.section.js';
import { rateLimitsSection } from './rate-limits/rate-limits.section.js';
import { sessionsSection } from './sessions/sessions.section.js';

const sections = {
  database: databaseSection,
  quota: quotaDefaultsSection,
  sessions: sessionsSection,
  rateLimits: rateLimitsSection,
  passwordReset: passwordResetSection,
};

/** The auth service; `overrides` lets tests swap what cannot run here (a mail transport). */
export function authService(overrides: AuthOverrides = {}): ServiceDefinition<typeof sections> {
  return {
    name: 'auth',
    defaultPort: 8081,
    sections,
    modules: (config) => [DatabaseModule.forRoot(config.database, authDatabase), AuthModule.forRoot(config, overrides)],
  };
}

export const authApp = authService();
