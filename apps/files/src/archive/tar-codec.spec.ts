import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '@blockplane/contracts';
import { CanonicalTar, type TarTotals } from './tar-codec.js';

const limits = { entries: 100, bytes: 1024 * 1024 };
const owner = { uid: 1000, gid: 1000 };

/** Runs bytes through the codec in small, odd-sized chunks; resolves with its output and totals. */
async function canonical(input: Buffer, chosen = limits): Promise<{ output: Buffer; totals: TarTotals }> {
  const codec = new CanonicalTar(chosen, owner);
  const chunks: Buffer[] = [];
  const pieces = Array.from({ length: Math.ceil(input.length / 777) }, (_, i) =>
    input.subarray(i * 777, (i + 1) * 777),
  );
  await pipeline(
    Readable.from(pieces),
    codec,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return { output: Buffer.concat(chunks), totals: codec.totals };
}

async function refusal(input: Buffer, chosen = limits): Promise<DomainError> {
  try {
    await canonical(input, chosen);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected the archive to be refused');
}

/** A tar made by GNU tar from a tree built by `build` in a scratch folder. */
function gnuTar(build: (dir: string) => void, args: string[] = ['.']): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tar-codec-'));
  try {
    build(dir);
    return execFileSync('tar', ['-c', '-f', '-', '-C', dir, ...args], { maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const listing = (tar: Buffer) =>
  execFileSync('tar', ['-t', '-v', '--numeric-owner', '-f', '-'], { input: tar }).toString();

describe('CanonicalTar', () => {
  const longName = `${'deep/'.repeat(30)}ünïcødé "quoted" $(x).txt`;

  it('rewrites what GNU tar wrote (long UTF-8 names included) into files and folders that extract the same', async () => {
    const input = gnuTar((dir) => {
      mkdirSync(join(dir, 'deep/'.repeat(30)), { recursive: true });
      writeFileSync(join(dir, longName), 'long');
      writeFileSync(join(dir, 'plain.bin'), Buffer.from([0, 1, 2, 255]));
    });
    const { output, totals } = await canonical(input);
    expect(totals).toEqual({ files: 2, directories: 30, bytes: 8 });
    expect(execFileSync('tar', ['-x', '-O', '-f', '-', longName], { input: output }).toString()).toBe('long');
    expect(execFileSync('tar', ['-x', '-O', '-f', '-', 'plain.bin'], { input: output })).toEqual(
      Buffer.from([0, 1, 2, 255]),
    );
    expect(listing(output)).toContain('1000/1000');
  });

  it('writes every parent folder before an entry', async () => {
    const input = gnuTar(
      (dir) => {
        mkdirSync(join(dir, 'a/b'), { recursive: true });
        writeFileSync(join(dir, 'a/b/c.txt'), 'c');
      },
      ['a/b/c.txt'],
    );
    const names = execFileSync('tar', ['-t', '-f', '-'], { input: (await canonical(input)).output }).toString();
    expect(names).toBe('a/\na/b/\na/b/c.txt\n');
  });

  it.each([
    ['a symbolic link', (dir: string) => symlinkSync('/etc', join(dir, 'link')), 'symbolic links are not extracted'],
    [
      'a hard link',
      (dir: string) => {
        writeFileSync(join(dir, 'f'), 'x');
        execFileSync('ln', [join(dir, 'f'), join(dir, 'g')]);
      },
      'hard links are not extracted',
    ],
    ['a named pipe', (dir: string) => execFileSync('mkfifo', [join(dir, 'p')]), 'named pipes are not extracted'],
  ])('refuses %s', async (_what, build, reason) => {
    const error = await refusal(gnuTar(build));
    expect(error.code).toBe('UNPROCESSABLE');
    expect(error.message).toContain(reason);
  });

  it.each([
    ['../escape.txt', 'must not contain ..'],
    ['/etc/cron.d/evil', 'must be a relative name'],
  ])('refuses the name %s', async (name, reason) => {
    const input = gnuTar((dir) => writeFileSync(join(dir, 'x'), 'x'), ['--transform', `s,^x$,${name},`, '-P', 'x']);
    const error = await refusal(input);
    expect(error).toMatchObject({ code: 'UNPROCESSABLE', details: { entry: name } });
    expect(error.message).toContain(reason);
  });

  it('refuses a folder and a file of the same name', async () => {
    const input = Buffer.concat([
      gnuTar((dir) => mkdirSync(join(dir, 'x')), ['x']).subarray(0, 512),
      gnuTar((dir) => writeFileSync(join(dir, 'x'), ''), ['x']),
    ]);
    expect((await refusal(input)).message).toContain('a folder and a file of the same name');
  });

  it('stops at the entry and byte limits', async () => {
    const many = gnuTar((dir) => {
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, `f${i}`), 'x');
    });
    expect((await refusal(many, { entries: 4, bytes: 100 })).code).toBe('PAYLOAD_TOO_LARGE');
    const big = gnuTar((dir) => writeFileSync(join(dir, 'big'), Buffer.alloc(101)));
    expect((await refusal(big, { entries: 4, bytes: 100 })).message).toContain('more than 100 bytes');
  });

  it('refuses what is not a tar, and a truncated one', async () => {
    expect((await refusal(Buffer.from('not a tar'.padEnd(1024, '!')))).message).toContain('not a tar archive');
    const whole = gnuTar((dir) => writeFileSync(join(dir, 'f'), Buffer.alloc(2000)));
    expect((await refusal(whole.subarray(0, 1536))).message).toContain('truncated');
  });
});
