import { crc32, deflateRawSync } from 'node:zlib';

/** One member of a crafted zip; everything past `data` says what an honest writer would not. */
export interface ZipMember {
  /** A folder's name ends with `/`; a string is written as UTF-8 (flag bit 11 set when it is not ASCII). */
  name: string | Buffer;
  data?: Buffer | string;
  /** 0 stored, 8 deflated (the default); any other number is written as the method with the data stored. */
  method?: number;
  /** Sizes and CRC-32 after the data (flag bit 3) instead of in the local header. */
  descriptor?: boolean;
  /** Sizes (and offset) in the zip64 extra field, whatever they are. */
  zip64?: boolean;
  /** A Unix mode (`0o100644`, `0o120777` for a link) in the external attributes, made by a Unix host. */
  mode?: number;
  /** Bits added to the general purpose flags (1: encrypted). */
  flags?: number;
  /** A CRC-32 that the data does not have, in every header. */
  crc?: number;
  /** An uncompressed size that the data does not have, in every header. */
  size?: number;
  /** A name in the local header other than the central directory's. */
  localName?: string;
}

/**
 * A zip written byte by byte (APPNOTE 6.3), so that tests can make what real tools make (stored, deflated, data
 * descriptors, zip64, CP437 and UTF-8 names) and what they never would (climbing names, links, lies).
 * `zip64End` writes the zip64 end records, with the classic end record saying "see zip64".
 */
export function craftZip(members: ZipMember[], { zip64End = false } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const put = (bytes: Buffer) => {
    parts.push(bytes);
    offset += bytes.length;
  };
  for (const member of members) {
    const name = typeof member.name === 'string' ? Buffer.from(member.name, 'utf8') : member.name;
    const utf8 = typeof member.name === 'string' && !/^[\x20-\x7e]*$/.test(member.name) ? 0x0800 : 0;
    const data = Buffer.from(member.data ?? '');
    const method = member.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = member.crc ?? crc32(data);
    const size = member.size ?? data.length;
    const flags = utf8 | (member.descriptor ? 0x0008 : 0) | (member.flags ?? 0);
    const version = member.zip64 ? 45 : 20;
    const at = offset;
    const localName = member.localName === undefined ? name : Buffer.from(member.localName, 'utf8');
    const localExtra = member.zip64
      ? extraField(1, u64(member.descriptor ? 0 : size), u64(member.descriptor ? 0 : body.length))
      : Buffer.alloc(0);
    const hidden = member.descriptor;
    // [compressed, uncompressed], as the local header orders them.
    const localSizes = member.zip64 ? [0xffffffff, 0xffffffff] : hidden ? [0, 0] : [body.length, size];
    put(
      Buffer.concat([
        u32(0x04034b50),
        u16(version),
        u16(flags),
        u16(method),
        u16(0x6000), // 12:00:00
        u16(((2024 - 1980) << 9) | (5 << 5) | 17), // 2024-05-17
        u32(hidden ? 0 : crc),
        u32(localSizes[0] ?? 0),
        u32(localSizes[1] ?? 0),
        u16(localName.length),
        u16(localExtra.length),
        localName,
        localExtra,
        body,
      ]),
    );
    if (hidden) {
      const width = member.zip64 ? u64 : u32;
      put(Buffer.concat([u32(0x08074b50), u32(crc), width(body.length), width(size)]));
    }
    const centralExtra = member.zip64 ? extraField(1, u64(size), u64(body.length), u64(at)) : Buffer.alloc(0);
    central.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(member.mode === undefined ? version : (3 << 8) | version),
        u16(version),
        u16(flags),
        u16(method),
        u16(0x6000),
        u16(((2024 - 1980) << 9) | (5 << 5) | 17),
        u32(crc),
        u32(member.zip64 ? 0xffffffff : body.length),
        u32(member.zip64 ? 0xffffffff : size),
        u16(name.length),
        u16(centralExtra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(member.mode === undefined ? 0 : (member.mode << 16) >>> 0),
        u32(member.zip64 ? 0xffffffff : at),
        name,
        centralExtra,
      ]),
    );
  }
  const start = offset;
  const directory = Buffer.concat(central);
  put(directory);
  const count = members.length;
  if (zip64End) {
    const recordAt = offset;
    put(
      Buffer.concat([
        u32(0x06064b50),
        u64(44),
        u16(45),
        u16(45),
        u32(0),
        u32(0),
        u64(count),
        u64(count),
        u64(directory.length),
        u64(start),
      ]),
    );
    put(Buffer.concat([u32(0x07064b50), u32(0), u64(recordAt), u32(1)]));
  }
  put(
    Buffer.concat([
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(zip64End ? 0xffff : count),
      u16(zip64End ? 0xffff : count),
      u32(zip64End ? 0xffffffff : directory.length),
      u32(zip64End ? 0xffffffff : start),
      u16(0),
    ]),
  );
  return Buffer.concat(parts);
}

function extraField(id: number, ...values: Buffer[]): Buffer {
  const data = Buffer.concat(values);
  return Buffer.concat([u16(id), u16(data.length), data]);
}

function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(value);
  return bytes;
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes;
}

function u64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(value));
  return bytes;
}
