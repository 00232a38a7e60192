import { describeServiceContract } from '@blockplane/service/testing';
import { filesApp } from './files.app.js';

describeServiceContract(filesApp);
