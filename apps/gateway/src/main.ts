import { runService } from '@blockplane/service';
import { gatewayApp } from './gateway.app.js';

await runService(gatewayApp);
