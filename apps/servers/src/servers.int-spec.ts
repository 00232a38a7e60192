import { describeServiceContract } from '@blockplane/service/testing';
import { serversApp } from './servers.app.js';

describeServiceContract(serversApp);
