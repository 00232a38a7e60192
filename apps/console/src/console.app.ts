import type { ServiceDefinition } from '@blockplane/service';
import { consoleSection } from './console.config.js';
import { ConsoleModule } from './console.module.js';
import { RecentEventsInboxModule } from './status/recent-events.inbox.js';

const sections = { console: consoleSection };

export const consoleApp: ServiceDefinition<typeof sections> = {
  name: 'console',
  defaultPort: 8084,
  sections,
  modules: (config) => [{ module: RecentEventsInboxModule }, ConsoleModule.forRoot(config.console)],
};
