import type { Provider } from '@nestjs/common';
import { FileHostHandler } from './file-host.handler.js';
import { FileHostService } from './file-host.service.js';

/** The helper pods for file operations on stopped servers; registered in the provisioner's module. */
export const fileHostProviders: Provider[] = [FileHostService, FileHostHandler];
