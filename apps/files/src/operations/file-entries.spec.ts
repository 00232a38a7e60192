import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@blockplane/contracts';
import { DataPath } from '../paths/data-path.js';
import { decodeCursor, EntryStream, ListingPage, parseEntries, type RawEntry } from './file-entries.js';

const record = (name: string, type: string, target = '') =>
  Buffer.from([name, type, String(name.length), '644', '1700000000.5', target, ''].join('\0'));

describe('EntryStream', () => {
  it('parses records split anywhere, names with newlines and link targets included', async () => {
    const bytes = Buffer.concat([
      record('a\nb', 'f'),
      record('dir', 'd'),
      record('ln', 'l', '../x'),
      record('fifo', 'p'),
    ]);
    const seen: RawEntry[] = [];
    const stream = new EntryStream((entry) => seen.push(entry));
    for (let i = 0; i < bytes.length; i += 3) stream.write(bytes.subarray(i, i + 3));
    await new Promise((resolve) => stream.end(resolve));
    expect(seen).toEqual([
      { name: 'a\nb', type: 'file', size: 3, mode: '0644', modifiedAt: '2023-11-14T22:13:20.500Z', target: null },
      { name: 'dir', type: 'directory', size: 3, mode: '0644', modifiedAt: '2023-11-14T22:13:20.500Z', target: null },
      { name: 'ln', type: 'symlink', size: 2, mode: '0644', modifiedAt: '2023-11-14T22:13:20.500Z', target: '../x' },
      { name: 'fifo', type: 'other', size: 4, mode: '0644', modifiedAt: '2023-11-14T22:13:20.500Z', target: null },
    ]);
    expect(parseEntries(bytes)).toEqual(seen);
  });

  it('fails on a truncated listing', async () => {
    const stream = new EntryStream(() => undefined);
    stream.write(record('a', 'f').subarray(0, 5));
    await expect(new Promise((resolve, reject) => stream.once('error', reject).end(resolve))).rejects.toThrow(
      'truncated folder listing',
    );
  });
});

describe('ListingPage', () => {
  const folder = DataPath.parse('/world');
  const entries = ['b', 'a', 'region', 'c', 'data', 'A'].map((name): RawEntry => ({
    name,
    type: name === 'region' || name === 'data' ? 'directory' : 'file',
    size: 0,
    mode: '0644',
    modifiedAt: '2024-01-01T00:00:00.000Z',
    target: null,
  }));

  const page = (limit: number, cursor?: string) => {
    const listing = new ListingPage(limit, cursor === undefined ? undefined : decodeCursor(cursor));
    for (const entry of entries) listing.add(entry);
    return listing.result(folder);
  };

  it('puts folders first, then names in order, and pages with a cursor', () => {
    const first = page(3);
    expect(first.entries.map((e) => e.path)).toEqual(['/world/data', '/world/region', '/world/A']);
    expect(first.total).toBe(6);
    const second = page(3, first.nextCursor ?? undefined);
    expect(second.entries.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not give', () => {
    expect(() => decodeCursor('bm90IGpzb24')).toThrow(DomainError);
    expect(() => decodeCursor(Buffer.from('[2,"x"]').toString('base64url'))).toThrow(
      'cursor is not one this service gave',
    );
  });
});
