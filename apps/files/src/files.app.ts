import type { ServiceDefinition } from '@blockplane/service';

export const filesApp: ServiceDefinition<Record<never, never>> = {
  name: 'files',
  defaultPort: 8085,
  sections: {},
  modules: () => [],
};
