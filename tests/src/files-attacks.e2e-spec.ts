import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { craftZip, type Stack, type ZipMember } from '@blockplane/testing';
import {
  type BodyRoute,
  type FileAnswer,
  type FilesTarget,
  filesTarget,
  hostileTar,
  type PodShell,
  type QueryRoute,
  startFilesStack,
  type TarMember,
} from './files-kit.js';

/**
 * Issue #7's attack corpus through the public API, on a running server and on a stopped one: traversal in
 * every path argument, sibling prefixes, absolute paths, NUL and control characters (percent-encoded in
 * queries), symbolic links planted in the volume pointing out of it, zip-slip and link entries in archives,
 * a decompression bomb, and shell metacharacters in names and contents. A canary outside /data (in the pod's
 * own /tmp) must come out byte-identical, and nothing may run.
 */

const env = {
  FILES_MAX_ARCHIVE_RATIO: '50',
};

const secret = `CANARY-${randomBytes(8).toString('hex')}`;
const canaryScript = 'cd /tmp/canary && find . -printf "%p %s %m %y %l\\n" | LC_ALL=C sort && cat secret.txt';
/** What an attacker with exec in the container (a plugin) could have left in the volume. */
const planted = `mkdir -p /tmp/canary && printf '%s' '${secret}' > /tmp/canary/secret.txt && cd /data &&
  mkdir -p world && printf plain > plain.txt && printf inside > world/level.dat &&
  ln -s /tmp/canary link-out && ln -s /tmp/canary link-out2 && ln -s /tmp/canary/secret.txt link-file &&
  ln -s /tmp/canary/secret.txt link-file2 && ln -s ../tmp/canary link-rel && ln -s /tmp/canary/nope.txt dangling &&
  ln -s chain2 chain1 && ln -s /tmp/canary chain2 && ln -s / link-root && ln -s world link-inside &&
  ln -s /data2 link-sibling && tar -cf ok.tar plain.txt`;

/** One request of the corpus: a route, its method, and its path arguments (query or JSON body). */
type Attempt =
  | { method: 'GET' | 'PUT' | 'POST'; route: QueryRoute; query: Record<string, string> }
  | { method: 'POST'; route: BodyRoute; json: Record<string, unknown> };

const inQuery = (method: 'GET' | 'PUT' | 'POST', route: QueryRoute, path: string): Attempt => ({
  method,
  route,
  query: { path },
});
const inBody = (route: BodyRoute, json: Record<string, unknown>): Attempt => ({ method: 'POST', route, json });

/** Every path argument of every route, each aimed out of the data directory. */
const outOfData = (path: string): Array<[string, Attempt]> => [
  ['list', inQuery('GET', '', path)],
  ['stat', inQuery('GET', 'stat', path)],
  ['read', inQuery('GET', 'content', path)],
  ['write', inQuery('PUT', 'content', path)],
  ['download', inQuery('GET', 'download', path)],
  ['upload into', inQuery('POST', 'upload', path)],
  ['mkdir', inBody('directory', { path })],
  ['rename from', inBody('rename', { from: path, to: '/stolen' })],
  ['rename to', inBody('rename', { from: '/plain.txt', to: path })],
  ['copy from', inBody('copy', { from: path, to: '/stolen' })],
  ['copy to', inBody('copy', { from: '/plain.txt', to: path })],
  ['delete', inBody('delete', { paths: ['/plain.txt', path] })],
  ['chmod', inBody('chmod', { path, mode: '777' })],
  ['compress from', inBody('compress', { paths: [path], to: '/c.tar.gz' })],
  ['compress to', inBody('compress', { paths: ['/plain.txt'], to: path })],
  ['extract from', inBody('extract', { path, to: '/x' })],
  ['extract to', inBody('extract', { path: '/ok.tar', to: path })],
];

/** Paths that leave the data directory by their text alone: refused before anything runs in the pod. */
const escapingPaths = [
  '../tmp/canary/secret.txt',
  '/../../tmp/canary',
  'world/../../tmp/canary',
  '../data2/x',
  '/../data_x/y',
  'plain.txt\0.jpg',
  'line\nbreak',
  'escape\u001b[2J',
];

let stack: Stack;
let shell: PodShell;

beforeAll(async () => {
  ({ stack, shell } = await startFilesStack(env));
}, 120_000);
afterAll(() => stack?.stop(), 30_000);

describe.each([['running'], ['stopped']] as const)('the attack corpus on a %s server', (state) => {
  let t: FilesTarget;
  let canary: string;

  const send = (attempt: Attempt): Promise<FileAnswer> => {
    if ('json' in attempt) return t.files.send(attempt.method, attempt.route, { json: attempt.json });
    const body =
      attempt.method === 'PUT'
        ? { body: 'x', headers: { 'content-type': 'application/octet-stream' } }
        : attempt.route === 'upload'
          ? { body: form([{ name: 'up.txt', data: 'up' }]) }
          : {};
    return t.files.send(attempt.method, attempt.route, { query: attempt.query, init: body });
  };
  const codeOf = (answer: FileAnswer) => (answer.body as { error?: { code?: string } }).error?.code;
  const pod = (script: string) => shell.run(t.pod, t.container, script);

  beforeAll(async () => {
    t = await filesTarget(stack, state);
    await pod(planted);
    canary = await pod(canaryScript);
    expect(canary).toContain(secret);
  }, 120_000);

  it.each(escapingPaths.flatMap((path) => outOfData(path).map(([what, attempt]) => [what, path, attempt] as const)))(
    'refuses to %s %j with 400',
    async (_what, _path, attempt) => {
      const answer = await send(attempt);
      expect([answer.status, codeOf(answer)]).toEqual([400, 'VALIDATION_FAILED']);
    },
  );

  it('reads an absolute path inside the data directory, never on the host', async () => {
    expect((await t.files.stat('/tmp/canary/secret.txt')).status).toBe(404);
    expect((await t.files.read('/etc/passwd')).status).toBe(404);
    expect((await t.files.post('delete', { paths: ['/tmp/canary'] })).status).toBe(404);
  });

  it('refuses uploaded names that climb out', async () => {
    for (const name of ['../../tmp/canary/up.txt', '/tmp/canary/up.txt', 'a/../../x']) {
      expect((await t.files.upload('/world', [{ name, bytes: Buffer.from('up') }])).status).toBe(400);
    }
  });

  it.each([
    ['list through a link out', inQuery('GET', '', '/link-out'), 403],
    ['stat through a chain of links', inQuery('GET', 'stat', '/chain1/secret.txt'), 403],
    ['stat through a relative link', inQuery('GET', 'stat', '/link-rel/secret.txt'), 403],
    ['stat through a link to /', inQuery('GET', 'stat', '/link-root/tmp/canary/secret.txt'), 403],
    ['list a sibling through a link', inQuery('GET', '', '/link-sibling'), 404],
    ['read through a link', inQuery('GET', 'content', '/link-out/secret.txt'), 403],
    ['read a link to a file', inQuery('GET', 'content', '/link-file'), 400],
    ['read a dangling link', inQuery('GET', 'content', '/dangling'), 400],
    ['download a link to a folder', inQuery('GET', 'download', '/link-out'), 400],
    ['download through a link', inQuery('GET', 'download', '/link-out/secret.txt'), 403],
    ['write through a link', inQuery('PUT', 'content', '/link-out/new.txt'), 403],
    ['write through a chain', inQuery('PUT', 'content', '/chain1/new.txt'), 403],
    ['upload through a link', inQuery('POST', 'upload', '/link-out'), 403],
    ['mkdir through a link', inBody('directory', { path: '/link-out/made' }), 403],
    ['rename out of a link', inBody('rename', { from: '/link-out/secret.txt', to: '/stolen' }), 403],
    ['rename into a link', inBody('rename', { from: '/plain.txt', to: '/link-out/plain.txt' }), 403],
    ['copy out of a link', inBody('copy', { from: '/link-out/secret.txt', to: '/stolen' }), 403],
    ['copy into a link', inBody('copy', { from: '/world', to: '/link-out/world' }), 403],
    ['delete through a link', inBody('delete', { paths: ['/link-out/secret.txt'] }), 403],
    ['chmod through a link', inBody('chmod', { path: '/link-out/secret.txt', mode: '777' }), 403],
    ['chmod a link to a file', inBody('chmod', { path: '/link-file', mode: '777' }), 400],
    ['chmod a link to a folder', inBody('chmod', { path: '/link-out', mode: '777' }), 400],
    ['compress through a link', inBody('compress', { paths: ['/link-out/secret.txt'], to: '/c.tar.gz' }), 403],
    ['compress into a link', inBody('compress', { paths: ['/plain.txt'], to: '/link-out/c.tar.gz' }), 403],
    ['extract into a link', inBody('extract', { path: '/ok.tar', to: '/link-out/x' }), 403],
  ] as const)('refuses to %s', async (_what, attempt, status) => {
    expect((await send(attempt)).status).toBe(status);
  });

  it('acts on links themselves, never on what they point to', async () => {
    // Writing over a link replaces the link; deleting one removes the link.
    expect((await t.files.write('/link-file2', Buffer.from('replaced'))).status).toBe(200);
    expect((await t.files.stat('/link-file2')).body).toMatchObject({ type: 'file' });
    expect((await t.files.post('delete', { paths: ['/link-out2'] })).body).toEqual({ deleted: ['/link-out2'] });
    // An archive or a download of the whole volume holds links as links: no byte of the canary goes out.
    const archive = await t.files.post('compress', { paths: ['/link-out', '/link-file', '/chain1'], to: '/l.tgz' });
    expect(archive.status).toBe(201);
    const bytes = await t.files.bytesOf('/l.tgz');
    expect(execFileSync('tar', ['-tvz'], { input: bytes }).toString()).toMatch(/link-out -> \/tmp\/canary/);
    expect(execFileSync('tar', ['-xzO'], { input: bytes }).toString()).not.toContain(secret);
    const whole = await t.files.bytesOf('/');
    expect(execFileSync('tar', ['-xzO'], { input: whole, maxBuffer: 256 * 1024 * 1024 }).toString()).not.toContain(
      secret,
    );
    // Following a link that stays inside is fine.
    expect((await t.files.stat('/link-inside/level.dat')).body).toMatchObject({ size: 6 });
  });

  it('takes shell metacharacters in names and contents as bytes', async () => {
    const name = '$(touch pwned); `touch pwned` | rm -rf * & echo "$HOME" > \'x\'.txt';
    const content = Buffer.from('$(touch /tmp/pwned)\n`touch /tmp/pwned`\n; rm -rf /data\n');
    expect((await t.files.write(`/${name}`, content)).status).toBe(200);
    expect((await t.files.read(`/${name}`)).bytes.equals(content)).toBe(true);
    expect((await t.files.post('directory', { path: '/-rf' })).status).toBe(201);
    expect((await t.files.post('rename', { from: `/${name}`, to: '/-rf/--help' })).status).toBe(200);
    expect((await t.files.post('copy', { from: '/-rf', to: '/--no-preserve-root' })).status).toBe(201);
    expect((await t.files.post('chmod', { path: '/-rf/--help', mode: '0600' })).status).toBe(200);
    expect((await t.files.post('delete', { paths: ['/-rf', '/--no-preserve-root'] })).status).toBe(200);
    expect((await t.files.stat('/world/level.dat')).status).toBe(200);
    expect((await t.files.stat('/pwned')).status).toBe(404);
  });

  describe('archives', () => {
    const extractFails = async (name: string, archive: Buffer) => {
      expect((await t.files.write(`/evil/${name}`, archive)).status).toBe(200);
      const answer = await t.files.post('extract', { path: `/evil/${name}`, to: `/out-${name}` });
      // Nothing is extracted from an archive that is refused.
      expect((await t.files.stat(`/out-${name}`)).status).toBe(404);
      return answer;
    };

    it.each([
      ['zip-slip with ..', [{ name: 'slip.txt', data: 'slip' }], 's,^,../../tmp/canary/,'],
      ['an absolute name', [{ name: 'abs.txt', data: 'abs' }], 's,^,/tmp/canary/,'],
      [
        'a link out, then a file through it',
        [
          { name: 'ln', link: '/tmp/canary' },
          { name: 'pwned.txt', data: 'pwned' },
        ],
        's,^pwned.txt$,ln/pwned.txt,',
      ],
      ['a relative link out', [{ name: 'ln2', link: '../../tmp' }], undefined],
      ['a link to a file out', [{ name: 'ln3', link: '/tmp/canary/secret.txt' }], undefined],
    ] as Array<[string, TarMember[], string | undefined]>)(
      'refuses an archive with %s (422), before extracting anything',
      async (what, members, transform) => {
        const archive = hostileTar([{ name: 'first.txt', data: 'first' }, ...members], transform);
        const answer = await extractFails(`${what.replaceAll(/\W+/g, '-')}.tar`, archive);
        expect([answer.status, codeOf(answer)]).toEqual([422, 'UNPROCESSABLE']);
      },
    );

    describe('as a zip', () => {
      it.each([
        ['zip-slip with ..', [{ name: '../../tmp/canary/slip.txt', data: 'slip' }]],
        ['an absolute name', [{ name: '/tmp/canary/abs.txt', data: 'abs' }]],
        [
          'a link out, then a file through it',
          [
            { name: 'ln', data: '/tmp/canary', mode: 0o120777 },
            { name: 'ln/pwned.txt', data: 'pwned' },
          ],
        ],
        ['an encrypted entry', [{ name: 'enc.txt', data: 'x', flags: 1 }]],
        ['an unknown method', [{ name: 'x.bz2', data: 'x', method: 12 }]],
        ['a CRC-32 mismatch', [{ name: 'crc.txt', data: 'x', crc: 7 }]],
        ['a local header unlike the directory', [{ name: 'ok.txt', data: 'x', localName: 'other.txt' }]],
      ] as Array<[string, ZipMember[]]>)(
        'refuses a zip with %s (422), before extracting anything',
        async (what, members) => {
          const archive = craftZip([{ name: 'first.txt', data: 'first' }, ...members]);
          const answer = await extractFails(`${what.replaceAll(/\W+/g, '-')}.zip`, archive);
          expect([answer.status, codeOf(answer)]).toEqual([422, 'UNPROCESSABLE']);
        },
      );

      it('refuses a truncated zip, and a zip bomb as it expands (422)', async () => {
        const whole = craftZip([{ name: 'a.txt', data: randomBytes(10_000) }]);
        expect((await extractFails('cut.zip', whole.subarray(0, whole.length - 10))).status).toBe(422);
        const bomb = craftZip([{ name: 'zeros', data: Buffer.alloc(64 * 1024 * 1024), descriptor: true }]);
        expect(bomb.length).toBeLessThan(1024 * 1024);
        expect(await extractFails('bomb.zip', bomb)).toMatchObject({
          status: 422,
          body: { error: { code: 'UNPROCESSABLE', message: expect.stringContaining('decompression bomb') } },
        });
      });
    });

    it('refuses a decompression bomb as it expands (422)', async () => {
      const bomb = hostileTar([{ name: 'zeros', zeros: 64 * 1024 * 1024 }], undefined, true);
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const answer = await extractFails('bomb.tar.gz', bomb);
      expect(answer).toMatchObject({
        status: 422,
        body: { error: { code: 'UNPROCESSABLE', message: expect.stringContaining('decompression bomb') } },
      });
    });
  });

  afterAll(async () => {
    // The canary, outside /data, is exactly as it was, and nothing ran from a name or a content.
    expect(await pod(canaryScript)).toBe(canary);
    expect(await pod('ls -A /tmp')).toBe('canary\n');
  });
});

function form(parts: Array<{ name: string; data: string }>): FormData {
  const body = new FormData();
  for (const { name, data } of parts) body.append('file', new Blob([data]), name);
  return body;
}
