import { Writable } from 'node:stream';
import { DomainError, type FileEntry, type FileType } from '@blockplane/contracts';
import type { DataPath } from '../paths/data-path.js';

/** One entry as `find -printf` gives it (the `ENTRY` format of the pod scripts). */
export type RawEntry = Omit<FileEntry, 'path'>;

const FIELDS = 6;
/** The longest field there can be: a link target of PATH_MAX bytes, with room. */
const MAX_FIELD_BYTES = 8192;

const typeOf: Record<string, FileType> = { f: 'file', d: 'directory', l: 'symlink' };

function toRaw(fields: Buffer[]): RawEntry {
  const [name = '', type = '', size = '', mode = '', mtime = ''] = fields.map((field) => field.toString('latin1'));
  return {
    name: fields[0]?.toString('utf8') ?? name,
    type: typeOf[type] ?? 'other',
    size: Number(size) || 0,
    mode: mode.padStart(4, '0'),
    modifiedAt: new Date(Math.round(Number(mtime) * 1000) || 0).toISOString(),
    target: type === 'l' ? (fields[5]?.toString('utf8') ?? '') : null,
  };
}

/** Parses NUL-terminated fields as they stream in: memory stays one field, whatever the folder's size. */
export class EntryStream extends Writable {
  private fields: Buffer[] = [];
  private partial: Buffer[] = [];
  private partialBytes = 0;

  constructor(private readonly onEntry: (entry: RawEntry) => void) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    let start = 0;
    for (let end = chunk.indexOf(0, start); end !== -1; end = chunk.indexOf(0, start)) {
      this.partial.push(chunk.subarray(start, end));
      this.fields.push(this.partial.length === 1 ? Buffer.from(this.partial[0] ?? []) : Buffer.concat(this.partial));
      this.partial = [];
      this.partialBytes = 0;
      start = end + 1;
      if (this.fields.length === FIELDS) {
        this.onEntry(toRaw(this.fields));
        this.fields = [];
      }
    }
    const rest = chunk.subarray(start);
    this.partialBytes += rest.length;
    if (this.partialBytes > MAX_FIELD_BYTES) return done(new DomainError('INTERNAL', 'unreadable folder listing'));
    if (rest.length) this.partial.push(Buffer.from(rest));
    done();
  }

  override _final(done: (error?: Error) => void): void {
    done(this.fields.length || this.partialBytes ? new DomainError('INTERNAL', 'truncated folder listing') : undefined);
  }
}

/** Entries of a script's collected stdout. */
export function parseEntries(bytes: Buffer): RawEntry[] {
  const fields = [];
  for (let start = 0, end = bytes.indexOf(0); end !== -1; start = end + 1, end = bytes.indexOf(0, start)) {
    fields.push(bytes.subarray(start, end));
  }
  const entries: RawEntry[] = [];
  for (let i = 0; i + FIELDS <= fields.length; i += FIELDS) entries.push(toRaw(fields.slice(i, i + FIELDS)));
  return entries;
}

/** The one entry a script printed, named as the API knows it (`find` prints `.` for a folder it is in). */
export function singleEntry(bytes: Buffer, path: DataPath): FileEntry {
  const [entry] = parseEntries(bytes);
  if (!entry) throw new DomainError('INTERNAL', 'the pod did not describe the entry');
  return { ...entry, name: path.name, path: path.toString() };
}

/** Folders first, then by name: the order of pages and of their cursor. */
type SortKey = [folder: 0 | 1, name: string];

function keyOf(entry: RawEntry): SortKey {
  return [entry.type === 'directory' ? 0 : 1, entry.name];
}

function compare([ra, na]: SortKey, [rb, nb]: SortKey): number {
  return ra - rb || (na < nb ? -1 : na > nb ? 1 : 0);
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): SortKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && (value[0] === 0 || value[0] === 1) && typeof value[1] === 'string') {
      return [value[0], value[1]];
    }
  } catch {
    // answered below
  }
  throw new DomainError('VALIDATION_FAILED', 'cursor is not one this service gave', { field: 'cursor' });
}

/**
 * One page of a folder from its unsorted entries as they stream by: keeps only the `limit` first after
 * the cursor (trimmed whenever twice that many are held), so a folder of a million files costs a page.
 */
export class ListingPage {
  private held: Array<{ key: SortKey; entry: RawEntry }> = [];
  private total = 0;
  private more = false;

  constructor(
    private readonly limit: number,
    private readonly after?: SortKey,
  ) {}

  add(entry: RawEntry): void {
    this.total += 1;
    const key = keyOf(entry);
    if (this.after && compare(key, this.after) <= 0) return;
    this.held.push({ key, entry });
    if (this.held.length >= 2 * this.limit + 1) this.trim();
  }

  result(folder: DataPath): { entries: FileEntry[]; total: number; nextCursor: string | null } {
    this.trim();
    const last = this.held.at(-1);
    return {
      entries: this.held.map(({ entry }) => ({ ...entry, path: childPath(folder, entry.name) })),
      total: this.total,
      nextCursor: this.more && last ? encodeCursor(last.key) : null,
    };
  }

  private trim(): void {
    this.held.sort((a, b) => compare(a.key, b.key));
    if (this.held.length > this.limit) {
      this.more = true;
      this.held.length = this.limit;
    }
  }
}

/** The API path of an entry read from the volume (shown as it is, even with characters a request may not use). */
function childPath(folder: DataPath, name: string): string {
  return folder.isRoot ? `/${name}` : `${folder.toString()}/${name}`;
}
