import { describeServiceContract } from '@blockplane/service/testing';
import { consoleApp } from './console.app.js';

describeServiceContract(consoleApp);
