import { setFlagsFromString } from 'node:v8';

/** The first V8 where buffers count this way by default (the flag was removed in the same release). */
const COUNTED_BY_DEFAULT_FROM = [14, 8] as const;

/**
 * Counts what array buffers hold, rather than every byte allocated in them since the last mark-compact,
 * towards the limit that starts one. Before V8 14.8 a byte stream through a socket starts a mark-compact
 * of the whole heap for every 64 MB of 64 KiB chunks read — dead by then — which was half the CPU of a
 * file download in the gateway and in the files service. Returns whether the flag was set.
 */
export function countBuffersByWhatTheyHold(v8Version: string = process.versions.v8): boolean {
  const [major = 0, minor = 0] = v8Version.split('.').map(Number);
  const [fromMajor, fromMinor] = COUNTED_BY_DEFAULT_FROM;
  if (major > fromMajor || (major === fromMajor && minor >= fromMinor)) return false;
  setFlagsFromString('--external-memory-accounted-in-global-limit');
  return true;
}
