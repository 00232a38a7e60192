import type { ServiceDefinition } from '@blockplane/service';
import { StatusModule } from './status/status.module.js';

export const gatewayApp: ServiceDefinition<Record<never, never>> = {
  name: 'gateway',
  defaultPort: 8080,
  sections: {},
  modules: () => [{ module: StatusModule }],
};
