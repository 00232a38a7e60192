import { runService } from '@blockplane/service';
import { provisionerApp } from './provisioner.app.js';

await runService(provisionerApp);
