import type { ServiceDefinition } from '@blockplane/service';
import { AccountsModule } from './accounts/accounts.module.js';
import { AuthenticationModule } from './authentication/authentication.module.js';
import { gatewaySection } from './gateway.section.js';
import { HttpSettingsModule } from './http/http-settings.module.js';
import { ServersModule } from './servers/servers.module.js';
import { StatusModule } from './status/status.module.js';

const sections = { gateway: gatewaySection };

export const gatewayApp: ServiceDefinition<typeof sections> = {
  name: 'gateway',
  defaultPort: 8080,
  sections,
  // The public edge takes small JSON only; anything bigger is refused before it is parsed.
  jsonLimit: '64kb',
  modules: (config) => [
    HttpSettingsModule.forRoot(config.gateway),
    { module: AuthenticationModule },
    { module: AccountsModule },
    { module: ServersModule },
    { module: StatusModule },
  ],
};
