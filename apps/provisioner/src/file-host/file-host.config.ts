import { envTypes } from '@blockplane/config';
import { z } from 'zod';

/** The helper pods that hold a stopped server's volume for file operations. */
export const fileHostSection = z
  .object({
    // Any image with POSIX sh, GNU coreutils, findutils, tar and gzip: the intersection the files service's scripts use.
    FILE_HOST_IMAGE: envTypes.text('ubuntu:24.04'),
    // A helper not used for this long is removed.
    FILE_HOST_IDLE_MS: envTypes.integer(120_000, 1000),
    // How long a request may wait for a helper (or a game container) to run.
    FILE_HOST_START_TIMEOUT_MS: envTypes.integer(60_000, 1000),
    // Who owns a server's files: the itzg image runs the game as 1000:1000.
    FILE_HOST_UID: envTypes.integer(1000, 0),
    FILE_HOST_GID: envTypes.integer(1000, 0),
  })
  .transform((e) => ({
    image: e.FILE_HOST_IMAGE,
    idleMs: e.FILE_HOST_IDLE_MS,
    startTimeoutMs: e.FILE_HOST_START_TIMEOUT_MS,
    uid: e.FILE_HOST_UID,
    gid: e.FILE_HOST_GID,
  }));
export type FileHostConfig = z.output<typeof fileHostSection>;

export const FILE_HOST_CONFIG = Symbol('FILE_HOST_CONFIG');
