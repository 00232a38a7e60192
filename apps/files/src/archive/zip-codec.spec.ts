import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '@blockplane/contracts';
import { craftZip, type ZipMember } from '@blockplane/testing';
import { ExpansionGuard } from './archive.service.js';
import { CanonicalTar, type TarTotals } from './tar-codec.js';
import { type ZipDirectory, ZipToTar } from './zip-codec.js';

const limits = { entries: 100, bytes: 256 * 1024 * 1024 };
const owner = { uid: 1000, gid: 1000 };

/** One pass as the service runs it (zip → tar → ratio guard → CanonicalTar), the input cut in odd-sized chunks. */
async function pass(zip: Buffer, known?: ZipDirectory, chosen = limits, ratioLimit = Number.MAX_SAFE_INTEGER) {
  const reader = new ZipToTar(chosen, known);
  const canonical = new CanonicalTar(chosen, owner);
  const chunks: Buffer[] = [];
  const pieces = Array.from({ length: Math.ceil(zip.length / 777) }, (_, i) => zip.subarray(i * 777, (i + 1) * 777));
  await pipeline([
    Readable.from(pieces),
    reader.stream,
    new ExpansionGuard(ratioLimit),
    canonical,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  ]);
  return { output: Buffer.concat(chunks), totals: canonical.totals, directory: reader.directory };
}

/** Both passes: the second is given the first's directory; their totals must agree. */
async function extract(zip: Buffer, chosen = limits): Promise<{ output: Buffer; totals: TarTotals }> {
  const first = await pass(zip, undefined, chosen);
  const second = await pass(zip, first.directory, chosen);
  expect(second.totals).toEqual(first.totals);
  return second;
}

async function refusal(attempt: Promise<unknown>): Promise<DomainError> {
  try {
    await attempt;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected the archive to be refused');
}

const fileIn = (tar: Buffer, name: string) => execFileSync('tar', ['-x', '-O', '-f', '-', name], { input: tar });
const names = (tar: Buffer) => execFileSync('tar', ['-t', '-f', '-'], { input: tar }).toString().split('\n');

/** A zip made by a real tool from a tree built in a scratch folder. */
function toolZip(build: (dir: string) => void, command: string, args: string[], input?: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'zip-codec-'));
  try {
    build(dir);
    return execFileSync(command, args, { cwd: dir, input, maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Python's zipfile writing to a pipe, which it cannot seek: every entry gets a data descriptor. */
const pythonStreamed = `
import sys, zipfile
with zipfile.ZipFile(sys.stdout.buffer, 'w') as z:
    z.writestr('plugins/', b'')
    z.writestr(zipfile.ZipInfo('plugins/a.jar'), b'jar' * 5000, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr('ünï.txt', 'ü'.encode(), compress_type=zipfile.ZIP_DEFLATED)
    z.writestr('stored.bin', bytes(range(256)) * 300 + b'PK\\x07\\x08' + bytes(16))
`;

describe('ZipToTar', () => {
  const level = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251));

  it('reads what Info-ZIP writes (deflated, Unix modes, time fields) into files and folders', async () => {
    const zip = toolZip(
      (dir) => {
        mkdirSync(join(dir, 'world/region'), { recursive: true });
        writeFileSync(join(dir, 'world/level.dat'), level);
        writeFileSync(join(dir, 'world/region/r.0.0.mca'), Buffer.alloc(200_000, 1));
        writeFileSync(join(dir, 'start.sh'), '#!/bin/sh\n');
        chmodSync(join(dir, 'start.sh'), 0o755);
      },
      'zip',
      ['-q', '-r', '-', 'world', 'start.sh'],
    );
    const { output, totals } = await extract(zip);
    expect(totals).toEqual({ files: 3, directories: 2, bytes: level.length + 200_000 + 10 });
    expect(fileIn(output, 'world/level.dat')).toEqual(level);
    const listing = execFileSync('tar', ['-t', '-v', '--numeric-owner', '-f', '-'], { input: output }).toString();
    expect(listing).toMatch(/-rwxr-xr-x 1000\/1000 +10 .* start\.sh/);
  });

  it('reads Info-ZIP writing to a pipe (data descriptors)', async () => {
    const zip = toolZip(
      (dir) => {
        mkdirSync(join(dir, 'world'));
        writeFileSync(join(dir, 'world/level.dat'), level);
      },
      'zip',
      ['-q', '-r', '-', 'world'],
    );
    expect(zip.includes(Buffer.from('PK\x07\x08', 'latin1'))).toBe(true);
    const { output, totals } = await extract(zip);
    expect(totals).toEqual({ files: 1, directories: 1, bytes: level.length });
    expect(fileIn(output, 'world/level.dat')).toEqual(level);
  });

  it("reads Python's zipfile writing to a pipe (data descriptors, stored ones too, UTF-8 names)", async () => {
    const zip = execFileSync('python3', ['-c', pythonStreamed]);
    const { output, totals } = await extract(zip);
    const stored = Buffer.concat([
      ...Array.from({ length: 300 }, () => Buffer.from(Array.from({ length: 256 }, (_, i) => i))),
      Buffer.from('PK\x07\x08', 'latin1'),
      Buffer.alloc(16),
    ]);
    expect(totals).toEqual({ files: 3, directories: 1, bytes: 15_000 + 2 + stored.length });
    expect(fileIn(output, 'stored.bin')).toEqual(stored);
    expect(fileIn(output, 'plugins/a.jar').toString()).toBe('jar'.repeat(5000));
    expect(fileIn(output, 'ünï.txt').toString()).toBe('ü');
  });

  it('reads stored, deflated and zip64 entries, with and without data descriptors, and zip64 end records', async () => {
    const members: ZipMember[] = [
      { name: 'stored.bin', data: level, method: 0 },
      { name: 'deflated.bin', data: level },
      { name: 'described.bin', data: level, descriptor: true },
      { name: 'big/', method: 0, zip64: true },
      { name: 'big/stored64.bin', data: level, method: 0, zip64: true },
      { name: 'big/described64.bin', data: level, zip64: true, descriptor: true },
      { name: 'empty.txt', data: '', descriptor: true },
      { name: 'stored-described.bin', data: level, method: 0, descriptor: true },
      { name: 'big/stored-described64.bin', data: level, method: 0, zip64: true, descriptor: true },
    ];
    for (const zip of [craftZip(members), craftZip(members, { zip64End: true })]) {
      const { output, totals } = await extract(zip);
      expect(totals).toEqual({ files: 8, directories: 1, bytes: 7 * level.length });
      for (const name of members.filter((m) => m.data).map((m) => String(m.name))) {
        expect(fileIn(output, name)).toEqual(level);
      }
    }
  });

  it('reads names as UTF-8 when flagged or well-formed (Info-ZIP does not flag them), else as CP437', async () => {
    const cp437 = Buffer.from([0x82, 0x74, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // "étΘ.txt" in CP437, not UTF-8
    const zip = craftZip([
      { name: cp437, data: 'dos' },
      { name: '日本/🙂.txt', data: 'utf8' },
      { name: Buffer.from('ünï.txt'), data: 'unflagged' },
    ]);
    expect(zip.readUInt16LE(6)).toBe(0x0000);
    const { output } = await extract(zip);
    expect(names(output)).toEqual(['étΘ.txt', '日本/', '日本/🙂.txt', 'ünï.txt', '']);
    expect(fileIn(output, '日本/🙂.txt').toString()).toBe('utf8');
  });

  it('extracts an empty zip to nothing', async () => {
    expect((await extract(craftZip([]))).totals).toEqual({ files: 0, directories: 0, bytes: 0 });
  });

  it('keeps inflating at the pace its output is read (bounded memory)', async () => {
    const zip = craftZip([{ name: 'zeros', data: Buffer.alloc(64 * 1024 * 1024) }]);
    expect(zip.length).toBeLessThan(128 * 1024);
    const reader = new ZipToTar(limits);
    Readable.from([zip]).pipe(reader.stream);
    let most = 0;
    let bytes = 0;
    for await (const chunk of reader.stream as AsyncIterable<Buffer>) {
      most = Math.max(most, reader.stream.readableLength);
      bytes += chunk.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(bytes).toBeGreaterThan(64 * 1024 * 1024);
    // Objects of at most 64 KiB: were the inflater not held back, thousands would wait here.
    expect(most).toBeLessThanOrEqual(reader.stream.readableHighWaterMark);
  });

  it.each([
    ['zip-slip with ..', { name: '../../tmp/canary/slip.txt', data: 'x' }, 'must not contain ..'],
    ['an absolute name', { name: '/etc/cron.d/evil', data: 'x' }, 'must be a relative name'],
    ['a control character', { name: 'bad\nname', data: 'x' }, 'unsafe name'],
    ['a symbolic link', { name: 'ln', data: '/etc', mode: 0o120777 }, 'symbolic links are not extracted'],
    ['a named pipe', { name: 'fifo', mode: 0o010644 }, 'only files and folders are extracted'],
    ['an encrypted entry', { name: 'secret.txt', data: 'x', flags: 1 }, 'encrypted'],
    ['an unknown method', { name: 'b.bz2', data: 'x', method: 12 }, 'method 12 (bzip2)'],
    [
      'a stored entry whose descriptor never comes',
      { name: 's', data: 'x', method: 0, descriptor: true, crc: 9 },
      'truncated',
    ],
    ['a CRC-32 mismatch', { name: 'crc.txt', data: 'abc', crc: 1234 }, 'CRC-32 or size does not match'],
    ['a described CRC-32 mismatch', { name: 'crc.txt', data: 'abc', crc: 1, descriptor: true }, 'CRC-32 or size'],
    ['an entry longer than it says', { name: 'bomb', data: Buffer.alloc(1 << 20), size: 10 }, 'longer than it says'],
    ['a folder with content', { name: 'dir/', data: 'x' }, 'folder with content'],
    ['a local name unlike the directory', { name: 'ok.txt', data: 'x', localName: 'other.txt' }, 'disagree'],
    ['a name flagged UTF-8 that is not', { name: Buffer.from([0xff]), data: 'x', flags: 0x0800 }, 'not UTF-8'],
  ] as Array<[string, ZipMember, string]>)('refuses %s', async (_what, member, reason) => {
    const zip = craftZip([{ name: 'first.txt', data: 'first' }, member]);
    const error = await refusal(pass(zip));
    expect(error).toMatchObject({ code: 'UNPROCESSABLE', message: expect.stringContaining(reason) });
  });

  it('refuses in the second pass an archive that changed since the first', async () => {
    const before = craftZip([
      { name: 'a.txt', data: 'aaaa' },
      { name: 'b.txt', data: 'bbbb', descriptor: true },
    ]);
    const { directory } = await pass(before);
    for (const after of [
      craftZip([
        { name: 'a.txt', data: 'aaaa' },
        { name: 'b.txt', data: 'cccc', descriptor: true },
      ]),
      craftZip([
        { name: 'a.txt', data: 'aaaa' },
        { name: 'c.txt', data: 'bbbb', descriptor: true },
      ]),
      craftZip([{ name: 'a.txt', data: 'aaaa' }]),
    ]) {
      expect((await refusal(pass(after, directory))).message).toContain('changed');
    }
  });

  it('refuses a truncated archive, data after its end, and what is not a zip', async () => {
    const zip = craftZip([{ name: 'a.txt', data: level }]);
    for (const cut of [20, 200, zip.length - 30, zip.length - 1]) {
      expect((await refusal(pass(zip.subarray(0, cut)))).message).toContain('truncated');
    }
    expect((await refusal(pass(Buffer.concat([zip, Buffer.from('junk')])))).message).toContain('after its end');
    const broken = Buffer.from(zip);
    broken.writeUInt32LE(0x12345678, zip.length - 22);
    expect((await refusal(pass(broken))).message).toContain('not a zip archive');
  });

  it('stops a zip bomb at the ratio guard as it inflates', async () => {
    const bomb = craftZip([{ name: 'zeros', data: Buffer.alloc(64 * 1024 * 1024) }]);
    const error = await refusal(pass(bomb, undefined, limits, 50 * bomb.length));
    expect(error).toMatchObject({ code: 'UNPROCESSABLE', message: expect.stringContaining('decompression bomb') });
    // The same with a data descriptor, whose size is only known after the data in the first pass.
    const described = craftZip([{ name: 'zeros', data: Buffer.alloc(64 * 1024 * 1024), descriptor: true }]);
    expect((await refusal(pass(described, undefined, limits, 50 * bomb.length))).message).toContain('bomb');
  });

  it('stops at the entry and byte limits', async () => {
    const many = craftZip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
    expect((await refusal(pass(many, undefined, { entries: 4, bytes: 100 }))).code).toBe('PAYLOAD_TOO_LARGE');
    const big = craftZip([{ name: 'big', data: Buffer.alloc(101), descriptor: true }]);
    expect((await refusal(pass(big, undefined, { entries: 4, bytes: 100 }))).message).toContain('more than 100 bytes');
  });

  it('refuses a link that Info-ZIP stores as a link', async () => {
    const zip = toolZip((dir) => symlinkSync('/etc/passwd', join(dir, 'ln')), 'sh', [
      '-c',
      'zip -q -y l.zip ln && cat l.zip',
    ]);
    expect((await refusal(pass(zip))).message).toContain('symbolic links are not extracted');
  });
});
