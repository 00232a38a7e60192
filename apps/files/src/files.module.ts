import { type DynamicModule, Module } from '@nestjs/common';
import { ServerAccess } from './access/server-access.js';
import { ArchiveService } from './archive/archive.service.js';
import { FILES_CONFIG, type FilesConfig } from './files.config.js';
import { FilesRpcHandler } from './files.rpc-handler.js';
import { FileOperations } from './operations/file-operations.service.js';
import { FileHosts } from './pod/file-hosts.js';
import { InPod } from './pod/in-pod.js';
import { PodExec } from './pod/pod-exec.js';
import { TransferGrants } from './transfer/transfer-grants.js';
import { TransferService } from './transfer/transfer.service.js';
import { TransfersController } from './transfer/transfers.controller.js';

@Module({})
export class FilesModule {
  static forRoot(config: FilesConfig): DynamicModule {
    return {
      module: FilesModule,
      controllers: [TransfersController],
      providers: [
        { provide: FILES_CONFIG, useValue: config },
        ServerAccess,
        FileHosts,
        PodExec,
        InPod,
        FileOperations,
        ArchiveService,
        TransferGrants,
        TransferService,
        FilesRpcHandler,
      ],
    };
  }
}
