import { Controller, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { type Actor, type FileEntry, pathRequestSchema, type Uploaded } from '@blockplane/contracts';
import { ServerAccess } from '../access/access-rule.js';
import { RecordActivity } from '../activity/record-activity.decorator.js';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { FileTransfersService } from './file-transfers.service.js';

const serverId = new UuidParamPipe('server');
const pathQuery = new ZodBodyPipe(pathRequestSchema, 'query');
/** Upload answers name at most this many files in the activity log (an upload may carry a thousand). */
const LOGGED_UPLOADS = 100;

type PathRequest = z.output<typeof pathRequestSchema>;

/**
 * A file's bytes, streamed between the client and the files service: raw bodies of any size, never parsed
 * (the JSON parser only takes `application/json`, and these take anything but).
 */
@Controller('api/v1/servers/:id/files')
export class FileTransfersController {
  constructor(private readonly transfers: FileTransfersService) {}

  /** The raw bytes, up to the editor limit (413 above it: download instead). */
  @ServerAccess('file.read-content')
  @Get('content')
  read(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Query(pathQuery) { path }: PathRequest,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.transfers.send(actor, id, 'read', path, req, res);
  }

  /**
   * Creates or replaces the file atomically. Declared `file.update`; the files service also wants
   * `file.create` when the file does not exist yet.
   */
  @ServerAccess('file.update')
  @RecordActivity<FileEntry>('file.write', ({ answer }) => ({ details: { path: answer.path } }))
  @Put('content')
  write(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Query(pathQuery) { path }: PathRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FileEntry> {
    return this.transfers.write(actor, id, path, req, res);
  }

  /** `multipart/form-data` into the folder `path`; replacing a file needs `file.update` as well (the files service). */
  @ServerAccess('file.create')
  @RecordActivity<Uploaded>('file.upload', ({ answer }) => ({
    details: { files: answer.files.slice(0, LOGGED_UPLOADS).map((file) => file.path), count: answer.files.length },
  }))
  @Post('upload')
  upload(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Query(pathQuery) { path }: PathRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Uploaded> {
    return this.transfers.upload(actor, id, path, req, res);
  }

  /** A file, or a folder as `.tar.gz`, with `Content-Disposition: attachment`. */
  @ServerAccess('file.read-content')
  @Get('download')
  download(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Query(pathQuery) { path }: PathRequest,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.transfers.send(actor, id, 'download', path, req, res);
  }
}
