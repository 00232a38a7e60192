import { z } from 'zod';
import { actorSchema } from '../auth/actor.js';
import {
  chmodRequestSchema,
  compressRequestSchema,
  deletedSchema,
  deleteRequestSchema,
  extractedSchema,
  extractRequestSchema,
  fileEntrySchema,
  fileHostSchema,
  fileLimitsSchema,
  fileListSchema,
  listFilesQuerySchema,
  moveRequestSchema,
  pathRequestSchema,
  transferGrantSchema,
  transferRequestSchema,
} from './files.dto.js';

/** Every call names who asks and on which server; the files service checks the caller's rights itself. */
const onServer = <T extends z.ZodRawShape>(shape: T) =>
  z.object({ actor: actorSchema, serverId: z.uuid(), ...shape }).strict();

/** The files service's request/reply subjects (merged into the RPC catalogue). */
export const filesRpcCatalogue = {
  'files.limits': { request: z.object({}).strict(), response: fileLimitsSchema },
  'files.list': { request: onServer(listFilesQuerySchema.shape), response: fileListSchema },
  'files.stat': { request: onServer(pathRequestSchema.shape), response: fileEntrySchema },
  'files.mkdir': { request: onServer(pathRequestSchema.shape), response: fileEntrySchema },
  'files.rename': { request: onServer(moveRequestSchema.shape), response: fileEntrySchema },
  'files.copy': { request: onServer(moveRequestSchema.shape), response: fileEntrySchema },
  'files.delete': { request: onServer(deleteRequestSchema.shape), response: deletedSchema },
  'files.chmod': { request: onServer(chmodRequestSchema.shape), response: fileEntrySchema },
  'files.compress': { request: onServer(compressRequestSchema.shape), response: fileEntrySchema },
  'files.extract': { request: onServer(extractRequestSchema.shape), response: extractedSchema },
  /** A single-use grant to stream bytes over the files service's HTTP port (see `transferKinds`). */
  'files.transfer': { request: onServer(transferRequestSchema.shape), response: transferGrantSchema },

  /**
   * Provisioner: where to run file operations for a server, now. The running game pod, else a helper pod
   * mounting the server's volume (created on demand; each call renews its lease). CONFLICT while the
   * server is starting or stopping, NOT_FOUND when the server has no objects.
   */
  'provisioner.file-host.acquire': {
    request: z.object({ serverId: z.uuid() }).strict(),
    response: fileHostSchema,
  },
} as const;
