import { Module } from '@nestjs/common';
import { FileStreamProxy } from './file-stream.proxy.js';
import { FileTransfersController } from './file-transfers.controller.js';
import { FileTransfersService } from './file-transfers.service.js';
import { FilesController } from './files.controller.js';
import { FilesGatewayService } from './files-gateway.service.js';

/** A server's files: operations over RPC to the files service, byte streams to and from its HTTP port. */
@Module({
  controllers: [FilesController, FileTransfersController],
  providers: [FilesGatewayService, FileTransfersService, FileStreamProxy],
})
export class FilesModule {}
