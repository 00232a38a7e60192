import type { ServiceDefinition } from '@blockplane/service';

export const consoleApp: ServiceDefinition<Record<never, never>> = {
  name: 'console',
  defaultPort: 8084,
  sections: {},
  modules: () => [],
};
