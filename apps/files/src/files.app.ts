import type { ServiceDefinition } from '@blockplane/service';
import { filesSection } from './files.config.js';
import { FilesModule } from './files.module.js';

const sections = { files: filesSection };

export const filesApp: ServiceDefinition<typeof sections> = {
  name: 'files',
  defaultPort: 8085,
  sections,
  modules: (config) => [FilesModule.forRoot(config.files)],
  streamsBulkBytes: true,
};
