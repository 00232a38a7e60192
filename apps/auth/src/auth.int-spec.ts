import { describeServiceContract } from '@blockplane/service/testing';
import { authApp } from './auth.app.js';

describeServiceContract(authApp);
