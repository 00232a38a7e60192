import { runService } from '@blockplane/service';
import { consoleApp } from './console.app.js';

await runService(consoleApp);
