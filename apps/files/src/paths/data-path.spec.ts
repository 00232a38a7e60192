import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@blockplane/contracts';
import { DataPath, MAX_NAME_BYTES, MAX_PATH_BYTES } from './data-path.js';

function reasonOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    return (error as DomainError).message;
  }
  throw new Error('expected the path to be refused');
}

describe('DataPath.parse', () => {
  it.each([
    ['/', []],
    ['', []],
    ['.', []],
    ['//./', []],
    ['server.properties', ['server.properties']],
    ['/server.properties', ['server.properties']],
    ['/world//region/./r.0.0.mca', ['world', 'region', 'r.0.0.mca']],
    ['world/region/', ['world', 'region']],
    ['a/b/../c', ['a', 'c']],
    ['a/../../a/b', undefined],
    ['/a/./b/.././../c', ['c']],
    // The API's root is the data directory: an absolute path is read inside it, never on the host.
    ['/etc/passwd', ['etc', 'passwd']],
    ['/data/x', ['data', 'x']],
    // Names are bytes: what a shell would treat specially is just text here.
    ['$(reboot)/`id`/a b/"q"/\'s\'/;&|<>*?[]{}~!#', ['$(reboot)', '`id`', 'a b', '"q"', "'s'", ';&|<>*?[]{}~!#']],
    ['-rf/--help', ['-rf', '--help']],
    ['...', ['...']],
    ['..a/a..', ['..a', 'a..']],
    ['back\\slash', ['back\\slash']],
    ['日本語/Ünïcødé 🙂', ['日本語', 'Ünïcødé 🙂']],
  ])('normalises %j', (input, segments) => {
    if (segments === undefined) {
      expect(reasonOf(() => DataPath.parse(input))).toBe('path must not lead out of the data directory');
    } else {
      expect(DataPath.parse(input).segments).toEqual(segments);
    }
  });

  it.each([
    ['..', 'must not lead out of the data directory'],
    ['/..', 'must not lead out of the data directory'],
    ['../data2/x', 'must not lead out of the data directory'],
    ['../data_x', 'must not lead out of the data directory'],
    ['a/../..', 'must not lead out of the data directory'],
    ['./../etc/passwd', 'must not lead out of the data directory'],
    ['a/b/../../../', 'must not lead out of the data directory'],
    ['file\0.txt', 'must not contain NUL bytes'],
    ['\0', 'must not contain NUL bytes'],
    ['line\nbreak', 'must not contain control characters'],
    ['carriage\rreturn', 'must not contain control characters'],
    ['tab\there', 'must not contain control characters'],
    ['escape\u001b[31m', 'must not contain control characters'],
    ['delete\u007f', 'must not contain control characters'],
    ['c1\u0085control', 'must not contain control characters'],
    ['lone \ud800 surrogate', 'must be valid Unicode'],
    [`${'a'.repeat(MAX_NAME_BYTES + 1)}`, `must not have a name longer than ${MAX_NAME_BYTES} bytes`],
    [`${'é'.repeat(128)}`, `must not have a name longer than ${MAX_NAME_BYTES} bytes`],
    [`${'a/'.repeat(MAX_PATH_BYTES / 2)}a`, `must be at most ${MAX_PATH_BYTES} bytes`],
  ])('refuses %j', (input, reason) => {
    expect(reasonOf(() => DataPath.parse(input))).toBe(`path ${reason}`);
  });

  it('names the field and the reason in the error details', () => {
    try {
      DataPath.parse('../x', 'to');
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as DomainError).details).toEqual({
        field: 'to',
        reason: 'must not lead out of the data directory',
      });
    }
  });

  it('accepts names of exactly the limits', () => {
    expect(DataPath.parse('a'.repeat(MAX_NAME_BYTES)).name).toHaveLength(MAX_NAME_BYTES);
    const longest = `/${'a/'.repeat(MAX_PATH_BYTES / 2 - 1)}a`;
    expect(Buffer.byteLength(longest)).toBe(MAX_PATH_BYTES);
    expect(DataPath.parse(longest).segments).toHaveLength(MAX_PATH_BYTES / 2);
  });
});

describe('DataPath.parseRelative (archive entries, uploaded names)', () => {
  it.each([
    ['world/level.dat', ['world', 'level.dat']],
    ['./world/./level.dat', ['world', 'level.dat']],
    ['dir/', ['dir']],
  ])('accepts %j', (input, segments) => {
    expect(DataPath.parseRelative(input, 'entry').segments).toEqual(segments);
  });

  it.each([
    ['/etc/passwd', 'must be a relative name (it starts with /)'],
    ['../evil', 'must not contain ..'],
    ['a/../b', 'must not contain ..'],
    ['a/..', 'must not contain ..'],
    ['a\nb', 'must not contain control characters'],
    ['a\0b', 'must not contain NUL bytes'],
  ])('refuses %j', (input, reason) => {
    expect(reasonOf(() => DataPath.parseRelative(input, 'entry'))).toBe(`entry ${reason}`);
  });
});

describe('DataPath', () => {
  const path = DataPath.parse('/world/region/r.0.0.mca');

  it('knows its name, parent and forms', () => {
    expect(path.name).toBe('r.0.0.mca');
    expect(path.parent.toString()).toBe('/world/region');
    expect(path.relative).toBe('world/region/r.0.0.mca');
    expect(path.toString()).toBe('/world/region/r.0.0.mca');
    expect(DataPath.root.toString()).toBe('/');
    expect(DataPath.root.relative).toBe('');
    expect(DataPath.root.name).toBe('');
    expect(DataPath.root.parent.isRoot).toBe(true);
  });

  it('compares segment by segment, never by string prefix', () => {
    const data = DataPath.parse('/data');
    expect(data.contains(DataPath.parse('/data/x'))).toBe(true);
    expect(data.contains(DataPath.parse('/data'))).toBe(true);
    expect(data.contains(DataPath.parse('/data2'))).toBe(false);
    expect(data.contains(DataPath.parse('/data_x/y'))).toBe(false);
    expect(DataPath.parse('/data/x').contains(data)).toBe(false);
    expect(DataPath.root.contains(data)).toBe(true);
    expect(data.equals(DataPath.parse('data/'))).toBe(true);
    expect(data.equals(DataPath.parse('/data2'))).toBe(false);
  });

  it('joins normalised paths and keeps the length limit', () => {
    expect(DataPath.parse('/a').join(DataPath.parseRelative('b/c', 'entry')).toString()).toBe('/a/b/c');
    const deep = DataPath.parse(`/${'d/'.repeat(1500)}`);
    expect(reasonOf(() => deep.join(DataPath.parse(`/${'e/'.repeat(1500)}`)))).toBe(
      `path must be at most ${MAX_PATH_BYTES} bytes`,
    );
  });
});
