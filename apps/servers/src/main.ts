import { runService } from '@blockplane/service';
import { serversApp } from './servers.app.js';

await runService(serversApp);
