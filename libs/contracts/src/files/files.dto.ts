import { z } from 'zod';
import type { Permission } from '../auth/permissions.js';

// Paths are relative to the server's data directory, `/` being its root. They arrive as plain text:
// the files service parses them (one parser, which refuses `..` past the root, NUL and control
// characters); schemas here only bound their size.
const MAX_PATH_LENGTH = 4096;
export const filePathSchema = z.string().max(MAX_PATH_LENGTH, `must be at most ${MAX_PATH_LENGTH} characters`);

export const fileTypes = ['file', 'directory', 'symlink', 'other'] as const;
export type FileType = (typeof fileTypes)[number];

/** One entry of a folder, as `ls -la` would show it; a symbolic link is never followed. */
export const fileEntrySchema = z.object({
  name: z.string(),
  /** The entry's path from the data root (`/` for the root itself). */
  path: z.string(),
  type: z.enum(fileTypes),
  /** Bytes of a file; of a link, the length of its target. */
  size: z.number().int().nonnegative(),
  /** Permission bits in octal, e.g. `0644`. */
  mode: z.string(),
  modifiedAt: z.iso.datetime({ offset: true }),
  /** Where a symbolic link points (its text, not resolved); null for anything else. */
  target: z.string().nullable(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

/** `?limit=&cursor=` of a folder listing: folders first, then by name. */
export const listFilesQuerySchema = z
  .object({
    path: filePathSchema.default('/'),
    limit: z.coerce.number().int().min(1).max(500).default(200),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

export const fileListSchema = z.object({
  path: z.string(),
  entries: z.array(fileEntrySchema),
  /** Entries in the folder in all. */
  total: z.number().int().nonnegative(),
  nextCursor: z.string().nullable(),
});
export type FileList = z.infer<typeof fileListSchema>;

/** `0644`, `755`: permission bits only (no set-id or sticky bits). */
export const fileModeSchema = z
  .string()
  .regex(/^0?[0-7]{3}$/, 'must be three octal digits such as 644 or 0755 (no set-id or sticky bits)');

export const pathRequestSchema = z.object({ path: filePathSchema }).strict();
export const moveRequestSchema = z.object({ from: filePathSchema, to: filePathSchema }).strict();
export const deleteRequestSchema = z
  .object({ paths: z.array(filePathSchema).min(1).max(100, 'must name at most 100 paths at a time') })
  .strict();
export const chmodRequestSchema = z.object({ path: filePathSchema, mode: fileModeSchema }).strict();
/** The selection must be entries of one folder; `to` is the `.tar.gz` to write. */
export const compressRequestSchema = z
  .object({
    paths: z.array(filePathSchema).min(1).max(100, 'must name at most 100 paths at a time'),
    to: filePathSchema,
  })
  .strict();
/**
 * Extracts a `.tar`, `.tar.gz` or `.zip` (told by its content) into the folder `to` (created when missing;
 * existing files are replaced).
 */
export const extractRequestSchema = z.object({ path: filePathSchema, to: filePathSchema }).strict();

export const deletedSchema = z.object({ deleted: z.array(z.string()) });
export const extractedSchema = z.object({
  to: z.string(),
  files: z.number().int().nonnegative(),
  directories: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});
export type Extracted = z.infer<typeof extractedSchema>;

/**
 * Byte streams never cross NATS: the gateway asks for a transfer (`files.transfer`) and gets a
 * single-use grant for the files service's own HTTP port, then streams the body or the answer.
 * - `read`: `GET` the raw bytes of a file, up to the editor limit (413 above it).
 * - `write`: `PUT` the raw bytes of a file (created or replaced atomically), up to the editor limit.
 * - `download`: `GET` a file, or a folder as `.tar.gz`, streamed, with `Content-Disposition`.
 * - `upload`: `POST` `multipart/form-data`, any number of files into the folder `path`
 *   (a part's filename may carry sub-folders, `a/b.txt`), each up to the upload limit.
 */
export const transferKinds = ['read', 'write', 'download', 'upload'] as const;
export type TransferKind = (typeof transferKinds)[number];
export const transferRequestSchema = z.object({ kind: z.enum(transferKinds), path: filePathSchema }).strict();
export const transferGrantSchema = z.object({
  method: z.enum(['GET', 'PUT', 'POST']),
  url: z.url(),
  /** Sent as `Authorization: Bearer <token>`; good once, until `expiresAt`. */
  token: z.string(),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type TransferGrant = z.infer<typeof transferGrantSchema>;

/** An uploaded file, in the answer to an upload. */
export const uploadedSchema = z.object({ files: z.array(z.object({ path: z.string(), size: z.number() })) });
export type Uploaded = z.infer<typeof uploadedSchema>;

export const fileLimitsSchema = z.object({
  uploadBytes: z.number(),
  editorBytes: z.number(),
  archiveBytes: z.number(),
  archiveEntries: z.number(),
  archiveRatio: z.number(),
  minFreeBytes: z.number(),
});
export type FileLimits = z.infer<typeof fileLimitsSchema>;

/**
 * Where file operations run for a server: its game pod while it runs, else a short-lived helper pod
 * mounting the same volume. `owner` (`uid:gid`) is who new files must belong to when exec runs as root.
 */
export const fileHostSchema = z.object({
  namespace: z.string(),
  pod: z.string(),
  container: z.string(),
  kind: z.enum(['game', 'helper']),
  owner: z.string().regex(/^\d+:\d+$/),
  /** A helper is kept while it is used within this time; the files service renews its lease sooner. */
  leaseMs: z.number().int().positive(),
});
export type FileHost = z.infer<typeof fileHostSchema>;

/**
 * What each files operation needs on the server. Writing and uploading are judged per file: creating
 * one needs `file.create`, replacing one `file.update`; a transfer is granted with either.
 */
export const filePermissions = {
  list: 'file.read',
  stat: 'file.read',
  read: 'file.read-content',
  download: 'file.read-content',
  mkdir: 'file.create',
  rename: 'file.update',
  copy: 'file.create',
  delete: 'file.delete',
  chmod: 'file.update',
  compress: 'file.archive',
  extract: 'file.archive',
} as const satisfies Record<string, Permission>;
export type FileOperation = keyof typeof filePermissions;
