import { describeServiceContract } from '@blockplane/service/testing';
import { gatewayApp } from './gateway.app.js';

describeServiceContract(gatewayApp);
