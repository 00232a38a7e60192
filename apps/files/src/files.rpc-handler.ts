import { Inject, Injectable } from '@nestjs/common';
import type { RpcPayload, RpcResponse } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { ArchiveService } from './archive/archive.service.js';
import { FILES_CONFIG, type FilesConfig } from './files.config.js';
import { FileOperations } from './operations/file-operations.service.js';
import { TransferService } from './transfer/transfer.service.js';

/** The `files.*` subjects: each a line that hands the validated request to its service. */
@Injectable()
export class FilesRpcHandler {
  constructor(
    private readonly operations: FileOperations,
    private readonly archives: ArchiveService,
    private readonly transfers: TransferService,
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
  ) {}

  @OnRpc('files.limits')
  async limits(): Promise<RpcResponse<'files.limits'>> {
    return this.config.limits;
  }

  @OnRpc('files.list')
  list(request: RpcPayload<'files.list'>): Promise<RpcResponse<'files.list'>> {
    return this.operations.list(request);
  }

  @OnRpc('files.stat')
  stat(request: RpcPayload<'files.stat'>): Promise<RpcResponse<'files.stat'>> {
    return this.operations.stat(request);
  }

  @OnRpc('files.mkdir')
  mkdir(request: RpcPayload<'files.mkdir'>): Promise<RpcResponse<'files.mkdir'>> {
    return this.operations.mkdir(request);
  }

  @OnRpc('files.rename')
  rename(request: RpcPayload<'files.rename'>): Promise<RpcResponse<'files.rename'>> {
    return this.operations.rename(request);
  }

  @OnRpc('files.copy')
  copy(request: RpcPayload<'files.copy'>): Promise<RpcResponse<'files.copy'>> {
    return this.operations.copy(request);
  }

  @OnRpc('files.delete')
  delete(request: RpcPayload<'files.delete'>): Promise<RpcResponse<'files.delete'>> {
    return this.operations.delete(request);
  }

  @OnRpc('files.chmod')
  chmod(request: RpcPayload<'files.chmod'>): Promise<RpcResponse<'files.chmod'>> {
    return this.operations.chmod(request);
  }

  @OnRpc('files.compress')
  compress(request: RpcPayload<'files.compress'>): Promise<RpcResponse<'files.compress'>> {
    return this.archives.compress(request);
  }

  @OnRpc('files.extract')
  extract(request: RpcPayload<'files.extract'>): Promise<RpcResponse<'files.extract'>> {
    return this.archives.extract(request);
  }

  @OnRpc('files.transfer')
  transfer(request: RpcPayload<'files.transfer'>): Promise<RpcResponse<'files.transfer'>> {
    return this.transfers.grant(request);
  }
}
