import { runService } from '@blockplane/service';
import { filesApp } from './files.app.js';

await runService(filesApp);
