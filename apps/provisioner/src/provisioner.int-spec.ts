import { describeServiceContract } from '@blockplane/service/testing';
import { provisionerApp } from './provisioner.app.js';

describeServiceContract(provisionerApp);
