import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type Actor,
  DomainError,
  type FileEntry,
  fileEntrySchema,
  type TransferKind,
  type Uploaded,
  uploadedSchema,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';
import { FileStreamProxy } from './file-stream.proxy.js';

/**
 * The byte streams: a single-use grant from the files service (`files.transfer`, which checks the caller's
 * rights itself), then the bytes over its HTTP port. The body's type is checked before a grant is asked:
 * a body the JSON parser took could not be streamed on.
 */
@Injectable()
export class FileTransfersService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly proxy: FileStreamProxy,
  ) {}

  async send(
    actor: Actor,
    serverId: string,
    kind: Extract<TransferKind, 'read' | 'download'>,
    path: string,
    req: Request,
    res: Response,
  ): Promise<void> {
    const grant = await this.rpc.request('files.transfer', { actor, serverId, kind, path });
    await this.proxy.download(grant, req, res);
  }

  async write(actor: Actor, serverId: string, path: string, req: Request, res: Response): Promise<FileEntry> {
    requireBody(req, 'application/octet-stream', 'send the file as Content-Type: application/octet-stream');
    const grant = await this.rpc.request('files.transfer', { actor, serverId, kind: 'write', path });
    return this.proxy.upload(grant, req, res, fileEntrySchema);
  }

  async upload(actor: Actor, serverId: string, path: string, req: Request, res: Response): Promise<Uploaded> {
    requireBody(req, 'multipart/form-data', 'send the files as multipart/form-data');
    const grant = await this.rpc.request('files.transfer', { actor, serverId, kind: 'upload', path });
    return this.proxy.upload(grant, req, res, uploadedSchema);
  }
}

/** The body goes on as it came, so it must be what the files service reads: that type, not encoded. */
function requireBody(req: Request, type: string, message: string): void {
  if (req.is(type) !== type) throw new DomainError('VALIDATION_FAILED', message);
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') {
    throw new DomainError('VALIDATION_FAILED', 'send the body without a Content-Encoding');
  }
}
