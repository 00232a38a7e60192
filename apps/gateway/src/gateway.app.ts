import type { ServiceDefinition } from '@blockplane/service';
import { AccessModule } from './access/access.module.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { AdminModule } from './admin/admin.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuthenticationModule } from './authentication/authentication.module.js';
import { consoleSocketSection } from './console/console-socket.section.js';
import { ConsoleSocketModule } from './console/console-socket.module.js';
import { FilesModule } from './files/files.module.js';
import { gatewaySection } from './gateway.section.js';
import { corsMiddleware } from './http/cors.middleware.js';
import { HttpSettingsModule } from './http/http-settings.module.js';
import { OriginPolicy } from './http/origin-policy.js';
import { securityHeadersMiddleware } from './http/security-headers.middleware.js';
import { ServersModule } from './servers/servers.module.js';
import { StatusModule } from './status/status.module.js';

const sections = { gateway: gatewaySection, consoleSocket: consoleSocketSection };

export const gatewayApp: ServiceDefinition<typeof sections> = {
  name: 'gateway',
  defaultPort: 8080,
  sections,
  // The public edge takes small JSON only; anything bigger is refused before it is parsed.
  jsonLimit: '64kb',
  edge: (config) => [securityHeadersMiddleware, corsMiddleware(new OriginPolicy(config.gateway.corsOrigins))],
  modules: (config) => [
    HttpSettingsModule.forRoot(config.gateway),
    { module: AuthenticationModule },
    { module: AccessModule },
    { module: AccountsModule },
    { module: ApiKeysModule },
    { module: ServersModule },
    { module: FilesModule },
    { module: AdminModule },
    { module: StatusModule },
    ConsoleSocketModule.forRoot(config.consoleSocket),
  ],
};
