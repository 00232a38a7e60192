import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { z } from 'zod';
import {
  type Actor,
  chmodRequestSchema,
  compressRequestSchema,
  deleteRequestSchema,
  type Extracted,
  extractRequestSchema,
  type FileEntry,
  type FileList,
  listFilesQuerySchema,
  moveRequestSchema,
  pathRequestSchema,
} from '@blockplane/contracts';
import { ServerAccess } from '../access/access-rule.js';
import { RecordActivity } from '../activity/record-activity.decorator.js';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { FilesGatewayService } from './files-gateway.service.js';

const serverId = new UuidParamPipe('server');
const pathQuery = new ZodBodyPipe(pathRequestSchema, 'query');

type PathRequest = z.output<typeof pathRequestSchema>;
type MoveRequest = z.output<typeof moveRequestSchema>;

/**
 * A server's files, one operation per route (the byte streams are `FileTransfersController`'s). The activity
 * log gets the paths an operation named, never a file's contents.
 */
@Controller('api/v1/servers/:id/files')
export class FilesController {
  constructor(private readonly files: FilesGatewayService) {}

  /** Folders first, then by name, a page at a time. */
  @ServerAccess('file.read')
  @Get()
  list(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Query(new ZodBodyPipe(listFilesQuerySchema, 'query')) query: z.output<typeof listFilesQuerySchema>,
  ): Promise<FileList> {
    return this.files.list(actor, id, query);
  }

  @ServerAccess('file.read')
  @Get('stat')
  stat(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Query(pathQuery) { path }: PathRequest,
  ): Promise<FileEntry> {
    return this.files.stat(actor, id, path);
  }

  /** Missing parents are made too. */
  @ServerAccess('file.create')
  @RecordActivity<FileEntry>('file.mkdir', ({ answer }) => ({ details: { path: answer.path } }))
  @Post('directory')
  @HttpCode(201)
  mkdir(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(pathRequestSchema)) { path }: PathRequest,
  ): Promise<FileEntry> {
    return this.files.mkdir(actor, id, path);
  }

  @ServerAccess('file.update')
  @RecordActivity<FileEntry>('file.rename', ({ body, answer }) => ({
    details: { from: moveRequestSchema.parse(body).from, to: answer.path },
  }))
  @Post('rename')
  @HttpCode(200)
  rename(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(moveRequestSchema)) body: MoveRequest,
  ): Promise<FileEntry> {
    return this.files.rename(actor, id, body);
  }

  @ServerAccess('file.create')
  @RecordActivity<FileEntry>('file.copy', ({ body, answer }) => ({
    details: { from: moveRequestSchema.parse(body).from, to: answer.path },
  }))
  @Post('copy')
  @HttpCode(201)
  copy(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(moveRequestSchema)) body: MoveRequest,
  ): Promise<FileEntry> {
    return this.files.copy(actor, id, body);
  }

  /** Folders with everything in them. */
  @ServerAccess('file.delete')
  @RecordActivity<{ deleted: string[] }>('file.delete', ({ answer }) => ({ details: { paths: answer.deleted } }))
  @Post('delete')
  @HttpCode(200)
  delete(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(deleteRequestSchema)) body: z.output<typeof deleteRequestSchema>,
  ): Promise<{ deleted: string[] }> {
    return this.files.delete(actor, id, body);
  }

  @ServerAccess('file.update')
  @RecordActivity<FileEntry>('file.chmod', ({ answer }) => ({ details: { path: answer.path, mode: answer.mode } }))
  @Post('chmod')
  @HttpCode(200)
  chmod(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(chmodRequestSchema)) body: z.output<typeof chmodRequestSchema>,
  ): Promise<FileEntry> {
    return this.files.chmod(actor, id, body);
  }

  @ServerAccess('file.archive')
  @RecordActivity<FileEntry>('file.compress', ({ body, answer }) => ({
    details: { paths: compressRequestSchema.parse(body).paths, to: answer.path },
  }))
  @Post('compress')
  @HttpCode(201)
  compress(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(compressRequestSchema)) body: z.output<typeof compressRequestSchema>,
  ): Promise<FileEntry> {
    return this.files.compress(actor, id, body);
  }

  @ServerAccess('file.archive')
  @RecordActivity<Extracted>('file.extract', ({ body, answer }) => ({
    details: { path: extractRequestSchema.parse(body).path, to: answer.to },
  }))
  @Post('extract')
  @HttpCode(200)
  extract(
    @CurrentActor() actor: Actor,
    @Param('id', serverId) id: string,
    @Body(new ZodBodyPipe(extractRequestSchema)) body: z.output<typeof extractRequestSchema>,
  ): Promise<Extracted> {
    return this.files.extract(actor, id, body);
  }
}
