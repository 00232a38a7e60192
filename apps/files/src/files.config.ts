import { envTypes } from '@blockplane/config';
import { z } from 'zod';

const MIB = 1024 * 1024;

/** Where the game pods are, where this replica is reached, and the limits of every file operation. */
export const filesSection = z
  .object({
    KUBECONFIG: envTypes.kubeconfig(),
    // The base URL the gateway streams to (this replica's own address); unset: the address it listens on.
    FILES_ADVERTISE_URL: envTypes.url(['http:', 'https:'], 'http://10.0.0.7:8085').optional(),
    FILES_MAX_UPLOAD_BYTES: envTypes.integer(8 * 1024 * MIB, 1),
    FILES_MAX_EDITOR_BYTES: envTypes.integer(4 * MIB, 1),
    FILES_MAX_ARCHIVE_BYTES: envTypes.integer(16 * 1024 * MIB, 1),
    FILES_MAX_ARCHIVE_ENTRIES: envTypes.integer(100_000, 1),
    FILES_MAX_ARCHIVE_RATIO: envTypes.integer(200, 1),
    FILES_MIN_FREE_BYTES: envTypes.integer(64 * MIB, 0),
    FILES_GRANT_TTL_MS: envTypes.integer(60_000, 1000),
    // A stream with no byte moving either way for this long is cut.
    FILES_IDLE_TIMEOUT_MS: envTypes.integer(120_000, 1000),
  })
  .transform((e) => ({
    kubeconfig: e.KUBECONFIG,
    advertiseUrl: e.FILES_ADVERTISE_URL,
    grantTtlMs: e.FILES_GRANT_TTL_MS,
    idleTimeoutMs: e.FILES_IDLE_TIMEOUT_MS,
    limits: {
      uploadBytes: e.FILES_MAX_UPLOAD_BYTES,
      editorBytes: e.FILES_MAX_EDITOR_BYTES,
      archiveBytes: e.FILES_MAX_ARCHIVE_BYTES,
      archiveEntries: e.FILES_MAX_ARCHIVE_ENTRIES,
      archiveRatio: e.FILES_MAX_ARCHIVE_RATIO,
      minFreeBytes: e.FILES_MIN_FREE_BYTES,
    },
  }));
export type FilesConfig = z.output<typeof filesSection>;

export const FILES_CONFIG = Symbol('FILES_CONFIG');
