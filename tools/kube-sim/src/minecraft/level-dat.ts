// world/level.dat: a gzipped NBT compound with the few fields tools look at first.
import { gunzipSync, gzipSync } from 'node:zlib';

const TAG_END = 0,
  TAG_INT = 3,
  TAG_LONG = 4,
  TAG_STRING = 8,
  TAG_COMPOUND = 10;

function name(tag: number, n: string): Buffer {
  const bytes = Buffer.from(n, 'utf8');
  const head = Buffer.alloc(3);
  head[0] = tag;
  head.writeUInt16BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

function stringTag(n: string, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([name(TAG_STRING, n), len, bytes]);
}

function longTag(n: string, value: bigint): Buffer {
  const v = Buffer.alloc(8);
  v.writeBigInt64BE(BigInt.asIntN(64, value));
  return Buffer.concat([name(TAG_LONG, n), v]);
}

function intTag(n: string, value: number): Buffer {
  const v = Buffer.alloc(4);
  v.writeInt32BE(value);
  return Buffer.concat([name(TAG_INT, n), v]);
}

export function levelDat(level: { name: string; seed: bigint; time: number; lastPlayed: number }): Buffer {
  const data = Buffer.concat([
    name(TAG_COMPOUND, 'Data'),
    stringTag('LevelName', level.name),
    longTag('RandomSeed', level.seed),
    longTag('Time', BigInt(level.time)),
    longTag('LastPlayed', BigInt(level.lastPlayed)),
    intTag('version', 19133),
    Buffer.from([TAG_END]),
  ]);
  return gzipSync(Buffer.concat([name(TAG_COMPOUND, ''), data, Buffer.from([TAG_END])]));
}

/** The seed stored in a level.dat written by levelDat (undefined if it cannot be found). */
export function readLevelSeed(file: Buffer): bigint | undefined {
  let nbt: Buffer;
  try {
    nbt = gunzipSync(file);
  } catch {
    return undefined;
  }
  const at = nbt.indexOf('RandomSeed');
  return at < 0 || at + 18 > nbt.length ? undefined : nbt.readBigInt64BE(at + 10);
}

/** The seed a server derives from level-seed: a number as is, any other text by Java's String.hashCode. */
export function seedFromProperty(value: string): bigint | undefined {
  if (value === '') return undefined;
  if (/^-?\d+$/.test(value)) return BigInt.asIntN(64, BigInt(value));
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(hash, 31) + value.charCodeAt(i)) | 0;
  return BigInt(hash);
}
