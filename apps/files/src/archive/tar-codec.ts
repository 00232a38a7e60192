// A tar reader that writes a tar of its own: every entry of an uploaded archive is parsed and checked
// here, and what `tar -x` in the pod reads is only what this writer emits — plain files and folders
// with normalised relative names, the owner and modes chosen here. Nothing the check did not see can
// reach the extraction, whatever the archive's format tricks (long names, pax headers, links).
import { Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '@blockplane/contracts';
import { DataPath } from '../paths/data-path.js';

const BLOCK = 512;
/** Two zero blocks end a tar. */
export const TAR_END: Buffer = Buffer.alloc(2 * BLOCK);
/** pax and GNU long-name records are names and small values, never bulk. */
const MAX_META_BYTES = 64 * 1024;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export interface TarLimits {
  entries: number;
  bytes: number;
}

export interface TarOwner {
  uid: number;
  gid: number;
}

export interface TarTotals {
  files: number;
  directories: number;
  bytes: number;
}

type Kind = 'file' | 'directory';

interface Header {
  name: string;
  type: string;
  size: number;
  mode: number;
  mtime: number;
}

export function unprocessable(message: string, entry?: string): DomainError {
  return new DomainError('UNPROCESSABLE', message, entry === undefined ? undefined : { entry });
}

/** Refused entry types, with why. */
const refusedTypes: Record<string, string> = {
  '1': 'hard links are not extracted',
  '2': 'symbolic links are not extracted',
  '3': 'device files are not extracted',
  '4': 'device files are not extracted',
  '6': 'named pipes are not extracted',
};

/**
 * Reads a tar stream (ustar, GNU and pax) and writes the canonical tar of its files and folders. Refuses
 * (errors with UNPROCESSABLE or PAYLOAD_TOO_LARGE) on any link, device, absolute or `..` name, control
 * character, name conflict, or past the entry and byte limits — before any byte of the entry is passed on.
 */
export class CanonicalTar extends Transform {
  readonly totals: TarTotals = { files: 0, directories: 0, bytes: 0 };
  private readonly kinds = new Map<string, Kind>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current entry's data still to pass (or to collect, for metadata), then its padding. */
  private remaining = 0;
  private padding = 0;
  /** Where the current entry's data goes: on to the output, into a metadata record, or nowhere. */
  private sink: 'pass' | 'skip' | { type: string; chunks: Buffer[] } = 'pass';
  private overrides: { path?: string; size?: number } = {};
  private longName: string | undefined;
  private ended = false;

  constructor(
    private readonly limits: TarLimits,
    private readonly owner: TarOwner,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (!this.ended) return done(unprocessable('the archive is truncated'));
    this.push(TAR_END);
    done();
  }

  private consume(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        const data = chunk.subarray(offset, offset + take);
        if (this.sink === 'pass') this.push(data);
        else if (this.sink !== 'skip') this.sink.chunks.push(Buffer.from(data));
        this.remaining -= take;
        offset += take;
        if (this.remaining === 0) this.endData();
        continue;
      }
      if (this.padding > 0) {
        const skip = Math.min(this.padding, chunk.length - offset);
        this.padding -= skip;
        offset += skip;
        continue;
      }
      const need = BLOCK - this.pendingBytes;
      const piece = chunk.subarray(offset, offset + need);
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      offset += piece.length;
      if (this.pendingBytes === BLOCK) {
        const block = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        this.header(block);
      }
    }
  }

  private header(block: Buffer): void {
    if (block.every((byte) => byte === 0)) {
      this.ended = true; // the end-of-archive marker: whatever follows is not read
      return;
    }
    const header = parseHeader(block);
    if (header.type === 'x' || header.type === 'g' || header.type === 'L' || header.type === 'K') {
      if (header.size > MAX_META_BYTES) throw unprocessable('the archive has an oversized extended header');
      return this.startData(header.size, { type: header.type, chunks: [] });
    }
    const rawName = this.overrides.path ?? this.longName ?? header.name;
    const size = this.overrides.size ?? header.size;
    this.overrides = {};
    this.longName = undefined;
    const refused = refusedTypes[header.type];
    if (refused) throw unprocessable(`the archive holds ${describe(header.type)}: ${refused}`, rawName);
    if (header.type === 'V') return this.startData(size, 'skip'); // a volume label: nothing to extract
    const kind: Kind | undefined =
      header.type === '5'
        ? 'directory'
        : header.type === '0' || header.type === '\0' || header.type === '7'
          ? 'file'
          : undefined;
    if (!kind) throw unprocessable(`the archive holds an entry of unsupported type "${header.type}"`, rawName);
    const path = entryPath(rawName);
    if (path.isRoot || kind === 'directory') {
      if (!path.isRoot) this.directory(path, header);
      return this.startData(size, 'skip');
    }
    this.file(path, header, size);
  }

  private directory(path: DataPath, header: Header): void {
    this.parents(path);
    const known = this.kinds.get(path.relative);
    if (known === 'file') throw unprocessable('the archive has a folder and a file of the same name', path.relative);
    if (known) return;
    this.count('directory', path);
    this.push(writeHeader(path.relative, '5', 0, (header.mode & 0o777) | 0o700, header.mtime, this.owner));
  }

  private file(path: DataPath, header: Header, size: number): void {
    this.parents(path);
    if (this.kinds.get(path.relative) === 'directory') {
      throw unprocessable('the archive has a folder and a file of the same name', path.relative);
    }
    this.totals.bytes += size;
    if (this.totals.bytes > this.limits.bytes) {
      throw new DomainError('PAYLOAD_TOO_LARGE', `the archive would extract more than ${this.limits.bytes} bytes`);
    }
    if (!this.kinds.has(path.relative)) this.count('file', path);
    this.push(writeHeader(path.relative, '0', size, (header.mode & 0o777) | 0o600, header.mtime, this.owner));
    this.startData(size);
  }

  /** Every folder above an entry is written before it, so `tar -x` replaces a link in its place by a folder. */
  private parents(path: DataPath): void {
    for (let depth = 1; depth < path.segments.length; depth++) {
      const parent = path.segments.slice(0, depth).join('/');
      const known = this.kinds.get(parent);
      if (known === 'file') throw unprocessable('the archive puts an entry inside a file', path.relative);
      if (known) continue;
      this.count('directory', DataPath.parseRelative(parent, 'entry'));
      this.push(writeHeader(parent, '5', 0, 0o755, Math.floor(Date.now() / 1000), this.owner));
    }
  }

  private count(kind: Kind, path: DataPath): void {
    this.kinds.set(path.relative, kind);
    if (kind === 'file') this.totals.files += 1;
    else this.totals.directories += 1;
    if (this.kinds.size > this.limits.entries) {
      throw new DomainError('PAYLOAD_TOO_LARGE', `the archive has more than ${this.limits.entries} entries`);
    }
  }

  private startData(size: number, sink: CanonicalTar['sink'] = 'pass'): void {
    this.remaining = size;
    this.padding = tarPadding(size).length;
    this.sink = sink;
    if (size === 0) this.endData();
  }

  /** The input's padding is skipped; a passed file gets padding of its own. */
  private endData(): void {
    const sink = this.sink;
    this.sink = 'pass';
    if (sink === 'skip') return;
    if (sink === 'pass') {
      if (this.padding > 0) this.push(TAR_END.subarray(0, this.padding));
      return;
    }
    const meta = sink;
    const data = Buffer.concat(meta.chunks);
    if (meta.type === 'x') this.overrides = parsePax(data);
    if (meta.type === 'L') this.longName = decodeName(data.subarray(0, nulAt(data)));
  }
}

function nulAt(bytes: Buffer): number {
  const at = bytes.indexOf(0);
  return at === -1 ? bytes.length : at;
}

export function decodeName(bytes: Buffer): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw unprocessable('the archive has a name that is not UTF-8');
  }
}

/** A name from the archive as a path inside the extraction folder; refused when it could leave it. */
function entryPath(name: string): DataPath {
  try {
    return DataPath.parseRelative(name, 'entry');
  } catch (error) {
    if (error instanceof DomainError) throw unprocessable(`the archive has an unsafe name: ${error.message}`, name);
    throw error;
  }
}

function describe(type: string): string {
  return type === '1' ? 'a hard link' : type === '2' ? 'a symbolic link' : type === '6' ? 'a named pipe' : 'a device';
}

function parseHeader(block: Buffer): Header {
  const stored = readNumber(block.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  if (stored !== sum) throw unprocessable('not a tar archive (or a damaged one)');
  const field = (start: number, end: number) =>
    block.subarray(start, end).subarray(0, nulAt(block.subarray(start, end)));
  const ustar = block.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = ustar ? field(345, 500) : Buffer.alloc(0);
  const name = prefix.length ? Buffer.concat([prefix, Buffer.from('/'), field(0, 100)]) : field(0, 100);
  return {
    name: decodeName(name),
    type: String.fromCharCode(block[156] ?? 0),
    size: readNumber(block.subarray(124, 136)),
    mode: readNumber(block.subarray(100, 108)),
    mtime: readNumber(block.subarray(136, 148)),
  };
}

/** Octal text, or GNU's base-256 for big values (first byte 0x80). */
function readNumber(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    if (!Number.isSafeInteger(value)) throw unprocessable('the archive has a number out of range');
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw unprocessable('not a tar archive (or a damaged one)');
  return parseInt(text, 8);
}

/** `LEN key=value\n` records; `path` and `size` are what a later entry takes from them. */
function parsePax(data: Buffer): { path?: string; size?: number } {
  const result: { path?: string; size?: number } = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = Number(data.subarray(offset, space).toString('latin1'));
    if (space === -1 || !Number.isInteger(length) || length <= 0 || offset + length > data.length) {
      throw unprocessable('the archive has a damaged extended header');
    }
    const record = data.subarray(space + 1, offset + length - 1);
    const equals = record.indexOf(0x3d);
    const key = record.subarray(0, equals).toString('latin1');
    const value = record.subarray(equals + 1);
    if (key === 'path') result.path = decodeName(value);
    if (key === 'size') {
      const size = Number(value.toString('latin1'));
      if (!Number.isSafeInteger(size) || size < 0) throw unprocessable('the archive has a damaged extended header');
      result.size = size;
    }
    offset += length;
  }
  return result;
}

/** A ustar header, preceded by a pax header carrying the name or size when ustar cannot hold them. */
export function writeHeader(
  name: string,
  type: '0' | '5',
  size: number,
  mode: number,
  mtime: number,
  owner: TarOwner,
): Buffer {
  const stored = type === '5' ? `${name}/` : name;
  const records: string[] = [];
  const plain = /^[\x20-\x7e]*$/.test(stored) && stored.length <= 100;
  if (!plain) records.push(paxRecord('path', stored));
  if (size > 0o77777777777) records.push(paxRecord('size', String(size)));
  const header = ustarHeader(plain ? stored : 'pax-entry', type, size > 0o77777777777 ? 0 : size, mode, mtime, owner);
  if (records.length === 0) return header;
  const body = Buffer.from(records.join(''), 'utf8');
  return Buffer.concat([
    ustarHeader('pax-header', 'x', body.length, 0o644, mtime, owner),
    body,
    tarPadding(body.length),
    header,
  ]);
}

/** The zeros that fill `size` bytes of an entry's data up to a whole block. */
export function tarPadding(size: number): Buffer {
  return TAR_END.subarray(0, (BLOCK - (size % BLOCK)) % BLOCK);
}

/** `LEN key=value\n`, where LEN counts itself. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(rest);
  let length = bytes + String(bytes).length;
  if (String(length).length !== String(bytes).length) length = bytes + String(length).length;
  return `${length}${rest}`;
}

function ustarHeader(name: string, type: string, size: number, mode: number, mtime: number, owner: TarOwner): Buffer {
  const block = Buffer.alloc(BLOCK);
  const octal = (value: number, start: number, width: number) =>
    block.write(
      `${Math.max(0, Math.floor(value))
        .toString(8)
        .padStart(width - 1, '0')}\0`,
      start,
      width,
      'latin1',
    );
  block.write(name, 0, 100, 'utf8');
  octal(mode, 100, 8);
  octal(owner.uid, 108, 8);
  octal(owner.gid, 116, 8);
  octal(size, 124, 12);
  octal(Math.min(mtime, 0o77777777777), 136, 12);
  block.write(type, 156, 1, 'latin1');
  block.write('ustar\x0000', 257, 8, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}
