// A zip reader that writes a plain tar of the archive's files and folders, for CanonicalTar to check like any
// uploaded tar: the entry rules live there, once. Zip puts sizes and kinds in a central directory at the end of
// the file, and an entry written with a data descriptor has no sizes before its data; so the first pass reads
// the directory as it comes by, and the second is given it and checks that every header, size and CRC-32
// agrees with it as the bytes stream by (the archive changed in between, or lies: refused).
import { isUtf8 } from 'node:buffer';
import { Duplex } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import { DomainError } from '@blockplane/contracts';
import { decodeName, TAR_END, tarPadding, unprocessable, writeHeader } from './tar-codec.js';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const DESCRIPTOR = 0x08074b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const END = 0x06054b50;
/** The 32-bit field value that says "the real one is in the zip64 extra field". */
const SENTINEL = 0xffffffff;
const ZIP64_EXTRA = 0x0001;
const TIME_EXTRA = 0x5455;
/** The flags that must agree between a local header and the directory: encrypted, data descriptor, UTF-8. */
const COMPARED_FLAGS = 0x0001 | 0x0008 | 0x0800;
/** Encrypted (traditional or strong), or a directory whose headers are masked. */
const ENCRYPTED_FLAGS = 0x0001 | 0x0040 | 0x2000;
/** The directory is held in memory between the passes: 100,000 entries of ~600 bytes fit, a forged one does not. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;
const OWNER = { uid: 0, gid: 0 }; // CanonicalTar chooses the owner; this one is never extracted
const METHODS: Record<number, string> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'lzma',
  93: 'zstd',
  95: 'xz',
  98: 'ppmd',
  99: 'AES encryption',
};
/** CP437, the format's encoding of names without the UTF-8 flag (bit 11), from 0x80 on; below is ASCII. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** One entry as the central directory lists it (`mode`: the Unix mode in the external attributes, or 0). */
export interface ZipRecord {
  offset: number;
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  mode: number;
}

export interface ZipDirectory {
  entries: ZipRecord[];
}

/**
 * Turns a zip byte stream into a tar stream (`stream`). Without a directory it is the first pass: it checks
 * every entry's data against its local header or data descriptor and, at the end, against the central
 * directory, which it keeps in `directory`. With one, it is the second pass: every header must agree with
 * it before any byte of the entry is passed on. Only stored (0) and deflated (8) entries are read.
 */
export class ZipToTar {
  readonly stream: Duplex;
  /** The central directory, once the whole archive has been read. */
  directory: ZipDirectory | undefined;

  constructor(
    private readonly limits: { entries: number },
    private readonly known?: ZipDirectory,
  ) {
    this.stream = Duplex.from((source: AsyncIterable<Buffer>) => this.convert(source));
  }

  private async *convert(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const input = new Bytes(source[Symbol.asyncIterator]());
    const seen: ZipRecord[] = [];
    let namesBytes = 0;
    for (;;) {
      const offset = input.position;
      const signature = (await input.exactly(4)).readUInt32LE(0);
      if (signature !== LOCAL) {
        this.directory = await readDirectory(input, signature, offset, this.limits);
        break;
      }
      const record = yield* this.entry(input, offset, this.known?.entries[seen.length]);
      namesBytes += record.name.length;
      if (seen.push(record) > this.limits.entries) throw tooManyEntries(this.limits.entries);
      if (namesBytes > MAX_DIRECTORY_BYTES) throw unprocessable('the archive has too many long names');
    }
    const directory = this.directory;
    if (this.known && !sameDirectory(directory, this.known)) throw changed();
    if (seen.length !== directory.entries.length) throw disagree();
    seen.forEach((record, i) => {
      const central = directory.entries[i];
      if (!central || !agree(record, central)) throw disagree(entryName(record));
      refuseSpecial(central, entryName(record));
    });
    if (await input.more()) throw unprocessable('the archive has data after its end');
    yield TAR_END;
  }

  /** One local entry: its tar header(s) and data; returns what it held, for the directory to agree with. */
  private async *entry(input: Bytes, offset: number, central?: ZipRecord): AsyncGenerator<Buffer, ZipRecord> {
    const fixed = await input.exactly(26);
    const flags = fixed.readUInt16LE(2);
    const method = fixed.readUInt16LE(4);
    const nameBytes = Buffer.from(await input.exactly(fixed.readUInt16LE(22)));
    const extra = fields(await input.exactly(fixed.readUInt16LE(24)));
    const header = { offset, name: nameBytes, flags, method, mode: 0, ...localSizes(fixed, extra) };
    const name = decodeZipName(nameBytes, flags);
    if (this.known) {
      if (!central || !agree(header, central, (flags & 0x08) === 0)) throw changed(name);
      refuseSpecial(central, name);
    }
    if ((flags & ENCRYPTED_FLAGS) !== 0) throw unprocessable('the archive holds an encrypted entry', name);
    if (method !== 0 && method !== 8) {
      const known = METHODS[method];
      throw unprocessable(
        `the archive holds an entry compressed with method ${method}${known ? ` (${known})` : ''}: only stored and deflated entries can be extracted`,
        name,
      );
    }
    const descriptor = (flags & 0x08) !== 0;
    const wide = extra.has(ZIP64_EXTRA);
    // The directory's sizes when known (second pass), else the local header's, else (a data descriptor in the
    // first pass) none: the entry is then passed on as consecutive pieces of the same file, counted as it inflates.
    const size = central?.size ?? (descriptor ? undefined : header.size);
    const compressed = central?.compressedSize ?? (descriptor ? undefined : header.compressedSize);
    const folder = name.endsWith('/');
    const path = folder ? name.slice(0, -1) : name;
    const mtime = modified(fixed, extra);
    const mode = central && (central.mode & 0o170000) !== 0 ? central.mode & 0o777 : folder ? 0o755 : 0o644;
    if (folder) yield writeHeader(path, '5', 0, mode, mtime, OWNER);
    else if (size !== undefined) yield writeHeader(path, '0', size, mode, mtime, OWNER);
    else yield writeHeader(path, '0', 0, mode, mtime, OWNER); // the name is checked before any byte inflates
    let crc = 0;
    let bytes = 0;
    let taken = 0;
    const pieces =
      method === 8
        ? inflated(input, compressed)
        : compressed === undefined
          ? storedUntilDescriptor(input, wide)
          : stored(input, compressed);
    try {
      for (;;) {
        const next = await pieces.next().catch((error: unknown) => {
          throw error instanceof DomainError
            ? error
            : unprocessable(`the archive has a damaged entry (${String(error)})`, name);
        });
        if (next.done) {
          taken = next.value;
          break;
        }
        const piece = next.value;
        crc = crc32(piece, crc);
        bytes += piece.length;
        if (folder && bytes > 0) throw unprocessable('the archive holds a folder with content', name);
        if (size !== undefined && bytes > size)
          throw unprocessable('the archive has an entry longer than it says', name);
        if (size === undefined) yield writeHeader(path, '0', piece.length, mode, mtime, OWNER);
        yield piece;
        if (size === undefined) yield tarPadding(piece.length);
      }
    } finally {
      await pieces.return(0); // an entry refused midway stops its inflater
    }
    const actual = { ...header, crc, size: bytes, compressedSize: taken };
    const declared = descriptor ? await readDescriptor(input, actual, wide) : header;
    if (declared.crc !== crc || declared.size !== bytes || declared.compressedSize !== taken) {
      throw unprocessable('the archive has an entry whose CRC-32 or size does not match its data', name);
    }
    if (central && !agree(actual, central)) throw changed(name);
    if (size !== undefined && !folder) yield tarPadding(size);
    return actual;
  }
}

/** Sequential reads over the incoming chunks; `position` is the offset in the archive. */
class Bytes {
  position = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private at = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Up to `max` bytes, at least one; the archive is truncated when there are none. */
  async some(max: number): Promise<Buffer> {
    if (!(await this.more())) throw unprocessable('the archive is truncated');
    const piece = this.chunk.subarray(this.at, this.at + max);
    this.at += piece.length;
    this.position += piece.length;
    return piece;
  }

  async exactly(length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let got = 0; got < length;) {
      const piece = await this.some(length - got);
      parts.push(piece);
      got += piece.length;
    }
    return parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
  }

  /** Puts back bytes just read (what the inflater did not take, what a search looked ahead at). */
  putBack(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunk = Buffer.concat([bytes, this.chunk.subarray(this.at)]);
    this.at = 0;
    this.position -= bytes.length;
  }

  async more(): Promise<boolean> {
    while (this.at >= this.chunk.length) {
      const next = await this.source.next();
      if (next.done) return false;
      this.chunk = next.value;
      this.at = 0;
    }
    return true;
  }
}

async function* stored(input: Bytes, size: number): AsyncGenerator<Buffer, number> {
  for (let left = size; left > 0;) {
    const piece = await input.some(Math.min(left, CHUNK));
    left -= piece.length;
    yield piece;
  }
  return size;
}

/**
 * A stored entry whose size follows it (Python and Go write these when they cannot seek back): its data ends
 * where a signed data descriptor holds the CRC-32 and size of the bytes before it. Only the first pass needs
 * this search; the directory must then agree with where it stopped.
 */
async function* storedUntilDescriptor(input: Bytes, wide: boolean): AsyncGenerator<Buffer, number> {
  const width = wide ? 8 : 4;
  const length = 8 + 2 * width;
  const signature = Buffer.alloc(4);
  signature.writeUInt32LE(DESCRIPTOR);
  let crc = 0; // of the bytes passed on
  let size = 0;
  let held: Buffer = Buffer.alloc(0);
  for (;;) {
    const piece = await input.some(CHUNK);
    held = held.length ? Buffer.concat([held, piece]) : piece;
    let running = crc;
    let checked = 0;
    let cut = Math.max(held.length - 3, 0); // a signature may begin in the last three bytes
    for (let at = held.indexOf(signature); at !== -1; at = held.indexOf(signature, at + 1)) {
      if (at + length > held.length) {
        cut = at; // may be the descriptor: decided with more bytes
        break;
      }
      running = crc32(held.subarray(checked, at), running);
      checked = at;
      const fields = held.subarray(at + 4, at + length);
      const sizes = [uint(fields, 4, width), uint(fields, 4 + width, width)];
      if (fields.readUInt32LE(0) === running && sizes.every((value) => value === size + at)) {
        if (at > 0) yield held.subarray(0, at);
        input.putBack(held.subarray(at));
        return size + at;
      }
    }
    if (cut > 0) {
      crc = crc32(held.subarray(0, cut), crc);
      size += cut;
      yield held.subarray(0, cut);
    }
    held = held.subarray(cut);
  }
}

/**
 * Inflates `compressed` bytes (undefined: up to the end of the deflate stream, whose leftover goes back to
 * `input`); returns how many it took. The inflater's own back-pressure holds: it inflates as the output is read.
 */
async function* inflated(input: Bytes, compressed: number | undefined): AsyncGenerator<Buffer, number> {
  const inflater = createInflateRaw({ chunkSize: CHUNK });
  let taken = 0;
  const feed = async () => {
    for (;;) {
      const want = compressed === undefined ? CHUNK : Math.min(CHUNK, compressed - taken);
      if (want === 0) break;
      const piece = await input.some(want);
      const before = inflater.bytesWritten;
      await new Promise<void>((resolve, reject) => inflater.write(piece, (e) => (e ? reject(e) : resolve())));
      const used = inflater.bytesWritten - before;
      taken += used;
      if (used < piece.length) {
        input.putBack(piece.subarray(used)); // the deflate stream ended inside this piece
        break;
      }
    }
    inflater.end();
  };
  const feeding = feed().catch((error: unknown) => inflater.destroy(error as Error));
  for await (const piece of inflater) yield piece as Buffer;
  await feeding; // the leftover is put back before the next header is read
  return taken;
}

async function readDescriptor(
  input: Bytes,
  actual: { crc: number },
  zip64: boolean,
): Promise<{ crc: number; compressedSize: number; size: number }> {
  const width = zip64 ? 8 : 4;
  let head = await input.exactly(4);
  // The signature is optional, and could be a CRC-32: it is one only when the CRC-32 follows it.
  if (head.readUInt32LE(0) === DESCRIPTOR) {
    const next = await input.exactly(4);
    if (actual.crc === DESCRIPTOR && next.readUInt32LE(0) !== DESCRIPTOR) {
      const sizes = Buffer.concat([next, await input.exactly(2 * width - 4)]);
      return { crc: DESCRIPTOR, compressedSize: uint(sizes, 0, width), size: uint(sizes, width, width) };
    }
    head = next;
  }
  const sizes = await input.exactly(2 * width);
  return { crc: head.readUInt32LE(0), compressedSize: uint(sizes, 0, width), size: uint(sizes, width, width) };
}

/** The central directory and its end records, read up to the end of the archive and checked against each other. */
async function readDirectory(
  input: Bytes,
  first: number,
  start: number,
  limits: { entries: number },
): Promise<ZipDirectory> {
  const entries: ZipRecord[] = [];
  let signature = first;
  while (signature === CENTRAL) {
    const fixed = await input.exactly(42);
    const name = Buffer.from(await input.exactly(fixed.readUInt16LE(24)));
    const extra = fields(await input.exactly(fixed.readUInt16LE(26)));
    await input.exactly(fixed.readUInt16LE(28)); // the entry's comment
    const big = zip64Values(extra, [
      fixed.readUInt32LE(20) === SENTINEL,
      fixed.readUInt32LE(16) === SENTINEL,
      fixed.readUInt32LE(38) === SENTINEL,
      fixed.readUInt16LE(30) === 0xffff,
    ]);
    if ((big[3] ?? fixed.readUInt16LE(30)) !== 0) throw unprocessable('multi-part zip archives are not supported');
    const host = fixed.readUInt8(1);
    entries.push({
      offset: big[2] ?? fixed.readUInt32LE(38),
      name,
      flags: fixed.readUInt16LE(4),
      method: fixed.readUInt16LE(6),
      crc: fixed.readUInt32LE(12),
      compressedSize: big[1] ?? fixed.readUInt32LE(16),
      size: big[0] ?? fixed.readUInt32LE(20),
      // The Unix mode is in the high half of the external attributes (Unix, macOS, and 7-Zip on Windows).
      mode: host === 3 || host === 19 || fixed.readUInt16LE(34) & 0x8000 ? fixed.readUInt32LE(34) >>> 16 : 0,
    });
    if (entries.length > limits.entries) throw tooManyEntries(limits.entries);
    if (input.position - start > MAX_DIRECTORY_BYTES) throw unprocessable('the archive has an oversized directory');
    signature = (await input.exactly(4)).readUInt32LE(0);
  }
  const size = input.position - 4 - start;
  let zip64: { entries: number; size: number; offset: number } | undefined;
  if (signature === ZIP64_END) {
    const at = input.position - 4;
    const length = uint(await input.exactly(8), 0, 8);
    if (length < 44 || length > 64 * 1024) throw damaged();
    const record = await input.exactly(length);
    if (record.readUInt32LE(4) !== 0 || record.readUInt32LE(8) !== 0) {
      throw unprocessable('multi-part zip archives are not supported');
    }
    zip64 = { entries: uint(record, 20, 8), size: uint(record, 28, 8), offset: uint(record, 36, 8) };
    if ((await input.exactly(4)).readUInt32LE(0) !== ZIP64_LOCATOR) throw damaged();
    const locator = await input.exactly(16);
    if (locator.readUInt32LE(0) !== 0 || uint(locator, 4, 8) !== at || locator.readUInt32LE(12) > 1) throw damaged();
    signature = (await input.exactly(4)).readUInt32LE(0);
  }
  if (signature !== END) throw damaged();
  const end = await input.exactly(18);
  await input.exactly(end.readUInt16LE(16)); // the archive's comment
  if (end.readUInt16LE(0) !== 0 || end.readUInt16LE(2) !== 0) {
    throw unprocessable('multi-part zip archives are not supported');
  }
  const says = (value: number, sentinel: number, actual: number, big?: number) =>
    value === actual || (value === sentinel && big === actual);
  if (
    !says(end.readUInt16LE(4), 0xffff, entries.length, zip64?.entries) ||
    !says(end.readUInt16LE(6), 0xffff, entries.length, zip64?.entries) ||
    !says(end.readUInt32LE(8), SENTINEL, size, zip64?.size) ||
    !says(end.readUInt32LE(12), SENTINEL, start, zip64?.offset) ||
    (zip64 && (zip64.entries !== entries.length || zip64.size !== size || zip64.offset !== start))
  ) {
    throw damaged();
  }
  return { entries };
}

/** A local header's sizes and CRC-32, from the zip64 extra field when the header says so. */
function localSizes(fixed: Buffer, extra: Map<number, Buffer>): { crc: number; compressedSize: number; size: number } {
  const wide = fixed.readUInt32LE(18) === SENTINEL || fixed.readUInt32LE(14) === SENTINEL;
  // In a local header the zip64 field holds both sizes, whichever of them overflowed.
  const big = wide ? zip64Values(extra, [true, true]) : [];
  return {
    crc: fixed.readUInt32LE(10),
    compressedSize: big[1] ?? fixed.readUInt32LE(14),
    size: big[0] ?? fixed.readUInt32LE(18),
  };
}

/** The zip64 extra field's values, in their order (size, compressed size, offset, disk), for those flagged present. */
function zip64Values(extra: Map<number, Buffer>, present: boolean[]): Array<number | undefined> {
  if (!present.some(Boolean)) return [];
  const field = extra.get(ZIP64_EXTRA);
  if (!field) throw damaged();
  let at = 0;
  return present.map((here, i) => {
    if (!here) return undefined;
    const width = i === 3 ? 4 : 8;
    if (at + width > field.length) throw damaged();
    const value = uint(field, at, width);
    at += width;
    return value;
  });
}

/** Extra fields by id (`id`, `length`, data). */
function fields(extra: Buffer): Map<number, Buffer> {
  const found = new Map<number, Buffer>();
  for (let at = 0; at + 4 <= extra.length;) {
    const length = extra.readUInt16LE(at + 2);
    if (at + 4 + length > extra.length) throw damaged();
    found.set(extra.readUInt16LE(at), extra.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return found;
}

/** Seconds since 1970: the Unix time extra field's, else the MS-DOS date and time (taken as UTC). */
function modified(fixed: Buffer, extra: Map<number, Buffer>): number {
  const time = extra.get(TIME_EXTRA);
  if (time && time.length >= 5 && ((time[0] ?? 0) & 1) !== 0) return time.readInt32LE(1);
  const dosTime = fixed.readUInt16LE(6);
  const dosDate = fixed.readUInt16LE(8);
  const at = Date.UTC(
    1980 + (dosDate >> 9),
    ((dosDate >> 5) & 0xf) - 1,
    dosDate & 0x1f,
    dosTime >> 11,
    (dosTime >> 5) & 0x3f,
    (dosTime & 0x1f) * 2,
  );
  return Math.max(0, Math.floor(at / 1000));
}

/**
 * UTF-8 when the entry says so (bit 11). Without the flag the format says CP437, but Info-ZIP on Linux and macOS
 * writes UTF-8 names without it: bytes that are well-formed UTF-8 are read as such, others as CP437 (what
 * Windows tools wrote). Either way the same bytes give the same name in both passes.
 */
function decodeZipName(bytes: Buffer, flags: number): string {
  if ((flags & 0x0800) !== 0) return decodeName(bytes);
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let name = '';
  for (const byte of bytes) name += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return name;
}

const entryName = (record: ZipRecord) => decodeZipName(record.name, record.flags);

/** Links, devices, pipes and sockets are refused by their Unix mode, as CanonicalTar refuses them in a tar. */
function refuseSpecial(central: ZipRecord, name: string): void {
  const type = central.mode & 0o170000;
  if (type === 0o120000)
    throw unprocessable('the archive holds a symbolic link: symbolic links are not extracted', name);
  if (type !== 0 && type !== 0o100000 && type !== 0o040000) {
    throw unprocessable('the archive holds a device, pipe or socket: only files and folders are extracted', name);
  }
}

/** Whether a local entry (its header, or what its data turned out to be) agrees with the directory's record. */
function agree(local: Omit<ZipRecord, 'mode'>, central: ZipRecord, withSizes = true): boolean {
  return (
    local.offset === central.offset &&
    local.name.equals(central.name) &&
    local.method === central.method &&
    (local.flags & COMPARED_FLAGS) === (central.flags & COMPARED_FLAGS) &&
    (!withSizes ||
      (local.crc === central.crc && local.size === central.size && local.compressedSize === central.compressedSize))
  );
}

function sameDirectory(a: ZipDirectory, b: ZipDirectory): boolean {
  return (
    a.entries.length === b.entries.length &&
    a.entries.every((entry, i) => {
      const other = b.entries[i];
      return other !== undefined && agree(entry, other) && entry.mode === other.mode;
    })
  );
}

function uint(bytes: Buffer, at: number, width: number): number {
  if (width === 4) return bytes.readUInt32LE(at);
  const value = bytes.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw unprocessable('the archive has a number out of range');
  return Number(value);
}

const damaged = () => unprocessable('not a zip archive (or a damaged one)');
const disagree = (name?: string) => unprocessable("the archive's local headers and central directory disagree", name);
const changed = (name?: string) =>
  unprocessable('the archive changed while it was extracted, or its headers disagree with its directory', name);
const tooManyEntries = (limit: number) =>
  new DomainError('PAYLOAD_TOO_LARGE', `the archive has more than ${limit} entries`);
