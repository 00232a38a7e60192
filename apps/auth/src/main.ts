import { runService } from '@blockplane/service';
import { authApp } from './auth.app.js';

await runService(authApp);
