import { DomainError } from '@blockplane/contracts';

/** Linux limits: a whole path (PATH_MAX) and one name (NAME_MAX), in bytes. */
export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;

/** Where the server's volume is mounted in its pods: what `/` means in the API. */
export const DATA_ROOT = '/data';

/**
 * A path inside a server's data directory, made only by `DataPath.parse`: normalised to segments that are
 * never empty, `.` or `..`, so it cannot name anything outside the root however it is joined. The pod
 * scripts still walk it component by component (symbolic links are a property of the volume, not of the
 * text); this type is the guarantee about the text.
 */
export class DataPath {
  static readonly root = new DataPath([]);

  private constructor(readonly segments: readonly string[]) {}

  /** `field` names the request field in the error, for the caller. */
  static parse(input: string, field = 'path'): DataPath {
    const problem = textProblem(input);
    if (problem) throw invalid(field, problem);
    const segments: string[] = [];
    for (const part of input.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (segments.length === 0) throw invalid(field, 'must not lead out of the data directory');
        segments.pop();
        continue;
      }
      if (Buffer.byteLength(part) > MAX_NAME_BYTES) {
        throw invalid(field, `must not have a name longer than ${MAX_NAME_BYTES} bytes`);
      }
      segments.push(part);
    }
    return new DataPath(segments);
  }

  /**
   * A name inside an archive or an upload, relative to the folder it lands in: stricter than `parse`,
   * as such names come from files rather than from a person typing — any `..` or leading `/` refuses it.
   */
  static parseRelative(input: string, field: string): DataPath {
    const problem = textProblem(input);
    if (problem) throw invalid(field, problem);
    if (input.startsWith('/')) throw invalid(field, 'must be a relative name (it starts with /)');
    if (input.split('/').includes('..')) throw invalid(field, 'must not contain ..');
    return DataPath.parse(input, field);
  }

  get isRoot(): boolean {
    return this.segments.length === 0;
  }

  /** The last segment; '' for the root. */
  get name(): string {
    return this.segments.at(-1) ?? '';
  }

  /** The parent folder; the root is its own parent. */
  get parent(): DataPath {
    return new DataPath(this.segments.slice(0, -1));
  }

  /** `a/b/c` for the pod scripts (they start from the data root); '' for the root. */
  get relative(): string {
    return this.segments.join('/');
  }

  /** `/a/b/c`, as the API shows it. */
  toString(): string {
    return `/${this.relative}`;
  }

  /** This path followed by `other` (both already normalised, so the result stays inside the root). */
  join(other: DataPath): DataPath {
    const joined = new DataPath([...this.segments, ...other.segments]);
    if (Buffer.byteLength(joined.toString()) > MAX_PATH_BYTES) {
      throw invalid('path', `must be at most ${MAX_PATH_BYTES} bytes`);
    }
    return joined;
  }

  /** Whether `other` is this path or lies below it, segment by segment (`/data2` is not below `/data`). */
  contains(other: DataPath): boolean {
    return this.segments.length <= other.segments.length && this.segments.every((s, i) => other.segments[i] === s);
  }

  equals(other: DataPath): boolean {
    return this.contains(other) && other.contains(this);
  }
}

function textProblem(input: string): string | undefined {
  if (input.includes('\0')) return 'must not contain NUL bytes';
  if (/\p{Cc}/u.test(input)) return 'must not contain control characters';
  if (!input.isWellFormed()) return 'must be valid Unicode';
  if (Buffer.byteLength(input) > MAX_PATH_BYTES) return `must be at most ${MAX_PATH_BYTES} bytes`;
  return undefined;
}

function invalid(field: string, reason: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `${field} ${reason}`, { field, reason });
}
