import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type {
  Actor,
  chmodRequestSchema,
  compressRequestSchema,
  deleteRequestSchema,
  Extracted,
  extractRequestSchema,
  FileEntry,
  FileList,
  listFilesQuerySchema,
  moveRequestSchema,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';

/** Copying, deleting and archiving walk whole folders in the pod: they may take minutes, not the RPC default. */
const WHOLE_TREE_MS = 10 * 60_000;

/** Carries the small file operations to the files service (which checks the caller's rights again itself). */
@Injectable()
export class FilesGatewayService {
  constructor(private readonly rpc: RpcClient) {}

  list(actor: Actor, serverId: string, query: z.output<typeof listFilesQuerySchema>): Promise<FileList> {
    return this.rpc.request('files.list', { actor, serverId, ...query });
  }

  stat(actor: Actor, serverId: string, path: string): Promise<FileEntry> {
    return this.rpc.request('files.stat', { actor, serverId, path });
  }

  mkdir(actor: Actor, serverId: string, path: string): Promise<FileEntry> {
    return this.rpc.request('files.mkdir', { actor, serverId, path });
  }

  rename(actor: Actor, serverId: string, move: z.output<typeof moveRequestSchema>): Promise<FileEntry> {
    return this.rpc.request('files.rename', { actor, serverId, ...move });
  }

  copy(actor: Actor, serverId: string, move: z.output<typeof moveRequestSchema>): Promise<FileEntry> {
    return this.rpc.request('files.copy', { actor, serverId, ...move }, WHOLE_TREE_MS);
  }

  delete(actor: Actor, serverId: string, body: z.output<typeof deleteRequestSchema>): Promise<{ deleted: string[] }> {
    return this.rpc.request('files.delete', { actor, serverId, ...body }, WHOLE_TREE_MS);
  }

  chmod(actor: Actor, serverId: string, body: z.output<typeof chmodRequestSchema>): Promise<FileEntry> {
    return this.rpc.request('files.chmod', { actor, serverId, ...body });
  }

  compress(actor: Actor, serverId: string, body: z.output<typeof compressRequestSchema>): Promise<FileEntry> {
    return this.rpc.request('files.compress', { actor, serverId, ...body }, WHOLE_TREE_MS);
  }

  extract(actor: Actor, serverId: string, body: z.output<typeof extractRequestSchema>): Promise<Extracted> {
    return this.rpc.request('files.extract', { actor, serverId, ...body }, WHOLE_TREE_MS);
  }
}
