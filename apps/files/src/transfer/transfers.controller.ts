import { Controller, Get, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type FileEntry, type TransferKind, type Uploaded } from '@blockplane/contracts';
import { type TransferGrant, TransferGrants } from './transfer-grants.js';
import { TransferService } from './transfer.service.js';

/**
 * The files service's HTTP streams, for the gateway only: every request carries a single-use grant
 * (`Authorization: Bearer`) from `files.transfer`, which says what may be done to which path.
 */
@Controller('transfers')
export class TransfersController {
  constructor(
    private readonly grants: TransferGrants,
    private readonly transfers: TransferService,
  ) {}

  @Get()
  send(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.transfers.send(this.take(req, 'read', 'download'), res);
  }

  @Put()
  write(@Req() req: Request): Promise<FileEntry | Uploaded> {
    return this.transfers.receive(this.take(req, 'write'), req);
  }

  @Post()
  upload(@Req() req: Request): Promise<FileEntry | Uploaded> {
    return this.transfers.receive(this.take(req, 'upload'), req);
  }

  private take(req: Request, ...kinds: TransferKind[]): TransferGrant {
    const grant = this.grants.take(req.headers.authorization);
    if (!kinds.includes(grant.kind)) {
      throw new DomainError('VALIDATION_FAILED', `this grant is for a ${grant.kind}, not a ${req.method} request`);
    }
    return grant;
  }
}
