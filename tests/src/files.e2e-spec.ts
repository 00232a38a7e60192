import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ActivityPage, FileList, Permission, Uploaded } from '@blockplane/contracts';
import { type Stack, waitFor, oddFileNames } from '@blockplane/testing';
import { AccessKit } from './access-kit.js';
import { digest, FilesClient, type FilesTarget, filesTarget, type PodShell, startFilesStack } from './files-kit.js';

/**
 * Issue #7 through the public API: every file operation on the whole stack (gateway, files service,
 * provisioner and its helper pods, the simulator running real processes), bytes and odd names checked
 * exactly, on a running server and on a stopped one; the permissions a sub-user needs; the activity log.
 */

const MIB = 1024 * 1024;
const env = {
  FILES_MAX_EDITOR_BYTES: String(MIB),
  FILES_MAX_UPLOAD_BYTES: String(16 * MIB),
};
const editorBytes = Number(env.FILES_MAX_EDITOR_BYTES);
const uploadBytes = Number(env.FILES_MAX_UPLOAD_BYTES);

/** A browser sends `"` in a multipart filename as %22: a literal %22 cannot be uploaded by name. */
const uploadableNames = oddFileNames.filter((name) => !name.includes('%22'));

const contentFor = (name: string, binary: Buffer) =>
  Buffer.concat([Buffer.from(`$(touch /tmp/pwned) \`touch /tmp/pwned\` ; "${name}" ünï\n`), binary]);

let stack: Stack;
let shell: PodShell;

beforeAll(async () => {
  ({ stack, shell } = await startFilesStack(env));
}, 120_000);
afterAll(() => stack?.stop(), 30_000);

describe.each([
  ['running', 'game'],
  ['stopped', 'helper'],
] as const)('the files of a %s server (the %s pod), through the gateway', (state, pod) => {
  let t: FilesTarget;
  let files: FilesClient;
  const binary = randomBytes(300 * 1024);
  const large = randomBytes(6 * MIB + 123);

  beforeAll(async () => {
    t = await filesTarget(stack, state);
    files = t.files;
  }, 120_000);

  it(`works in the ${pod} pod, which holds the volume`, async () => {
    expect((await files.post('directory', { path: '/probe' })).status).toBe(201);
    expect(await shell.run(t.pod, t.container, 'ls -d /data/probe')).toBe('/data/probe\n');
  });

  it('writes and reads back files with odd names, binary and UTF-8 content', async () => {
    for (const name of oddFileNames) {
      const content = contentFor(name, binary);
      const written = await files.write(`/odd/${name}`, content);
      expect(written.status).toBe(200);
      expect(written.body).toMatchObject({ name, path: `/odd/${name}`, type: 'file', size: content.length });
      const read = await files.read(`/odd/${name}`);
      expect(read.status).toBe(200);
      expect(read.headers.get('content-type')).toBe('application/octet-stream');
      expect(read.bytes.equals(content)).toBe(true);
    }
    const listing = await files.list('/odd');
    expect((listing.body as FileList).entries.map((e) => e.name).sort()).toEqual([...oddFileNames].sort());
    expect(await shell.run(t.pod, t.container, 'ls -A /tmp')).not.toContain('pwned');
  });

  it('uploads many files, sub-folders too, and downloads each byte for byte under its name', async () => {
    const parts = [
      { name: 'big.bin', bytes: large },
      { name: 'plugins/conf/é "quoted" $(x).yml', bytes: Buffer.from('key: `value`\n') },
      ...uploadableNames.map((name) => ({ name: `many/${name}`, bytes: randomBytes(1000) })),
    ];
    const uploaded = await files.upload('/up', parts);
    expect(uploaded).toMatchObject({ status: 201 });
    expect((uploaded.body as Uploaded).files.map((f) => f.path).sort()).toEqual(
      parts.map((p) => `/up/${p.name}`).sort(),
    );
    for (const part of parts) {
      const download = await files.download(`/up/${part.name}`);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-length')).toBe(String(part.bytes.length));
      expect(download.headers.get('content-disposition')).toContain(
        encodeURIComponent(part.name.split('/').at(-1) ?? ''),
      );
      expect(digest(download.bytes)).toBe(digest(part.bytes));
    }
  });

  it('downloads a folder as a tar.gz holding every file intact', async () => {
    const download = await files.download('/odd');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(download.headers.get('content-disposition')).toContain('odd.tar.gz');
    const dir = mkdtempSync(join(tmpdir(), 'files-e2e-'));
    try {
      execFileSync('tar', ['-xz', '-C', dir], { input: download.bytes });
      for (const name of oddFileNames) {
        expect(readFileSync(join(dir, 'odd', name)).equals(contentFor(name, binary))).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes folders, renames, copies, changes modes and deletes', async () => {
    expect((await files.post('directory', { path: '/a b/c $(d)' })).body).toMatchObject({
      name: 'c $(d)',
      type: 'directory',
      path: '/a b/c $(d)',
    });
    expect((await files.write('/a b/c $(d)/f`1`.txt', binary)).status).toBe(200);
    const moved = await files.post('rename', { from: '/a b/c $(d)', to: '/moved "dir"' });
    expect(moved).toMatchObject({ status: 200, body: { name: 'moved "dir"', type: 'directory' } });
    const copied = await files.post('copy', { from: '/moved "dir"', to: '/a b/copy' });
    expect(copied).toMatchObject({ status: 201, body: { type: 'directory' } });
    expect((await files.bytesOf('/a b/copy/f`1`.txt')).equals(binary)).toBe(true);
    expect((await files.bytesOf('/moved "dir"/f`1`.txt')).equals(binary)).toBe(true);
    expect((await files.post('chmod', { path: '/a b/copy/f`1`.txt', mode: '755' })).body).toMatchObject({
      mode: '0755',
    });
    expect((await files.stat('/a b/copy/f`1`.txt')).body).toMatchObject({ mode: '0755', size: binary.length });
    expect((await files.post('chmod', { path: '/a b', mode: '0700' })).body).toMatchObject({
      mode: '0700',
      type: 'directory',
    });
    const deleted = await files.post('delete', { paths: ['/a b', '/moved "dir"'] });
    expect(deleted).toMatchObject({ status: 200, body: { deleted: ['/a b', '/moved "dir"'] } });
    expect((await files.stat('/a b')).status).toBe(404);
    expect((await files.post('directory', { path: '/probe' })).status).toBe(409);
  });

  it('compresses a selection and extracts it elsewhere, byte for byte', async () => {
    const archive = await files.post('compress', {
      paths: ['/up/big.bin', '/up/many', '/up/plugins'],
      to: '/backups/up.tar.gz',
    });
    expect(archive).toMatchObject({ status: 201, body: { type: 'file', path: '/backups/up.tar.gz' } });
    const extracted = await files.post('extract', { path: '/backups/up.tar.gz', to: '/restored' });
    expect(extracted).toMatchObject({ status: 200, body: { to: '/restored', files: uploadableNames.length + 2 } });
    expect(digest(await files.bytesOf('/restored/big.bin'))).toBe(digest(large));
    for (const name of uploadableNames) {
      expect((await files.bytesOf(`/restored/many/${name}`)).equals(await files.bytesOf(`/up/many/${name}`))).toBe(
        true,
      );
    }
  });

  describe('zip archives', () => {
    it('extracts a zip written by Info-ZIP (data descriptors, unflagged UTF-8 names) byte for byte', async () => {
      const tree = new Map(uploadableNames.map((name) => [`mods/${name}`, randomBytes(2000)]));
      tree.set('world/region/r.0.0.mca', Buffer.alloc(3 * MIB, 5));
      const dir = mkdtempSync(join(tmpdir(), 'files-e2e-zip-'));
      let zip: Buffer;
      try {
        for (const [name, bytes] of tree) {
          mkdirSync(dirname(join(dir, name)), { recursive: true });
          writeFileSync(join(dir, name), bytes);
        }
        zip = execFileSync('zip', ['-q', '-r', '-', 'mods', 'world'], { cwd: dir, maxBuffer: 64 * MIB });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect((await files.upload('/uploads', [{ name: 'pack.zip', bytes: zip }])).status).toBe(201);
      const extracted = await files.post('extract', { path: '/uploads/pack.zip', to: '/unzipped' });
      expect(extracted).toMatchObject({ status: 200, body: { to: '/unzipped', files: tree.size, directories: 3 } });
      for (const [name, bytes] of tree) expect(digest(await files.bytesOf(`/unzipped/${name}`))).toBe(digest(bytes));
    });
  });

  it('pages a big folder: folders first, then by name', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    await files.upload(
      '/paged',
      names.map((name) => ({ name, bytes: Buffer.from(name) })),
    );
    await files.post('directory', { path: '/paged/zz-folder' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await files.list('/paged', { limit: 10, ...(cursor ? { cursor } : {}) })).body as FileList;
      expect(page.total).toBe(24);
      seen.push(...page.entries.map((e) => e.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['zz-folder', ...names]);
  });

  it('refuses what is over the limits with 413, and keeps nothing of it', async () => {
    const tooBig = await files.write('/huge.txt', Buffer.alloc(editorBytes + 1));
    expect(tooBig).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect((await files.read('/up/big.bin')).status).toBe(413);
    const upload = await files.upload('/', [{ name: 'over.bin', bytes: randomBytes(uploadBytes + 1) }]);
    expect(upload).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect((await files.stat('/huge.txt')).status).toBe(404);
    expect((await files.stat('/over.bin')).status).toBe(404);
    expect(await shell.run(t.pod, t.container, 'ls -A /data | grep -c "^\\.bp-" || true')).toBe('0\n');
  });

  it('ran nothing from a name or a content', async () => {
    expect(await shell.run(t.pod, t.container, 'ls -A /tmp')).not.toContain('pwned');
  });
});

describe('who may do what, and what the log keeps', () => {
  let kit: AccessKit;
  let t: FilesTarget;

  /** A sub-user holding exactly `held` on the server, and their file client. */
  async function subuser(held: Permission[]): Promise<FilesClient> {
    const account = await kit.signUp();
    await kit.knownToServers(account);
    await kit.invite(t.owner.client, t.server.id, account, held);
    return new FilesClient(stack.gatewayUrl, account.session.accessToken, t.server.id);
  }

  beforeAll(async () => {
    kit = new AccessKit(stack);
    t = await filesTarget(stack, 'running');
    await t.files.write('/server.properties', Buffer.from('motd=hello\n'));
  }, 120_000);

  it('lets a sub-user holding file.read list and stat, and refuses every change naming the permission', async () => {
    const reader = await subuser(['file.read']);
    expect((await reader.list('/')).status).toBe(200);
    expect((await reader.stat('/server.properties')).status).toBe(200);
    const refusals = await Promise.all([
      reader.write('/server.properties', Buffer.from('motd=pwned\n')),
      reader.upload('/', [{ name: 'plugin.jar', bytes: Buffer.from('jar') }]),
      reader.read('/server.properties'),
      reader.download('/'),
      reader.post('delete', { paths: ['/server.properties'] }),
      reader.post('directory', { path: '/x' }),
      reader.post('rename', { from: '/server.properties', to: '/x' }),
      reader.post('chmod', { path: '/server.properties', mode: '777' }),
      reader.post('compress', { paths: ['/server.properties'], to: '/x.tar.gz' }),
    ]);
    expect(
      refusals.map((answer) => [answer.status, (answer.body as { error: { details: unknown } }).error.details]),
    ).toEqual([
      [403, { permission: 'file.update' }],
      [403, { permission: 'file.create' }],
      [403, { permission: 'file.read-content' }],
      [403, { permission: 'file.read-content' }],
      [403, { permission: 'file.delete' }],
      [403, { permission: 'file.create' }],
      [403, { permission: 'file.update' }],
      [403, { permission: 'file.update' }],
      [403, { permission: 'file.archive' }],
    ]);
    expect((await t.files.bytesOf('/server.properties')).toString()).toBe('motd=hello\n');
  });

  it('needs file.create as well as file.update to write a new file, and file.update to upload over one', async () => {
    const updater = await subuser(['file.update']);
    expect((await updater.write('/server.properties', Buffer.from('motd=updated\n'))).status).toBe(200);
    const created = await updater.write('/new.txt', Buffer.from('new'));
    expect(created).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await t.files.stat('/new.txt')).status).toBe(404);

    const creator = await subuser(['file.create']);
    expect((await creator.upload('/', [{ name: 'fresh.txt', bytes: Buffer.from('fresh') }])).status).toBe(201);
    const over = await creator.upload('/', [{ name: 'server.properties', bytes: Buffer.from('motd=over\n') }]);
    expect(over).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await t.files.bytesOf('/server.properties')).toString()).toBe('motd=updated\n');

    const both = await subuser(['file.create', 'file.update']);
    expect((await both.write('/both.txt', Buffer.from('both'))).status).toBe(200);
  });

  it('writes every change to the activity log with its paths, never a content', async () => {
    const secret = `SECRET-${randomBytes(6).toString('hex')}`;
    const files = t.files;
    await files.write('/log/a.txt', Buffer.from(secret));
    await files.upload('/log', [{ name: 'b.txt', bytes: Buffer.from(secret) }]);
    await files.post('directory', { path: '/log/dir' });
    await files.post('rename', { from: '/log/a.txt', to: '/log/c.txt' });
    await files.post('copy', { from: '/log/c.txt', to: '/log/d.txt' });
    await files.post('chmod', { path: '/log/d.txt', mode: '600' });
    await files.post('compress', { paths: ['/log/c.txt', '/log/d.txt'], to: '/log/e.tar.gz' });
    await files.post('extract', { path: '/log/e.tar.gz', to: '/log/x' });
    await files.post('delete', { paths: ['/log/d.txt'] });
    await files.read('/log/c.txt');
    const expected: Array<[string, Record<string, unknown>]> = [
      ['file.write', { path: '/log/a.txt' }],
      ['file.upload', { files: ['/log/b.txt'], count: 1 }],
      ['file.mkdir', { path: '/log/dir' }],
      ['file.rename', { from: '/log/a.txt', to: '/log/c.txt' }],
      ['file.copy', { from: '/log/c.txt', to: '/log/d.txt' }],
      ['file.chmod', { path: '/log/d.txt', mode: '0600' }],
      ['file.compress', { paths: ['/log/c.txt', '/log/d.txt'], to: '/log/e.tar.gz' }],
      ['file.extract', { path: '/log/e.tar.gz', to: '/log/x' }],
      ['file.delete', { paths: ['/log/d.txt'] }],
    ];
    const page = await waitFor('the log to hold every change', async () => {
      const answer = await t.owner.client.request<ActivityPage>('GET', `servers/${t.server.id}/activity?limit=50`);
      const logged = answer.body.entries.filter((entry) => JSON.stringify(entry.details).includes('/log/'));
      return logged.length >= expected.length && answer.body;
    });
    const mine = page.entries.filter((entry) => JSON.stringify(entry.details).includes('/log/')).reverse();
    expect(mine.map((entry) => [entry.action, entry.details])).toEqual(expected);
    expect(mine.every((entry) => entry.actorId === t.owner.user.id && entry.serverId === t.server.id)).toBe(true);
    expect(JSON.stringify(page)).not.toContain(secret);
  });

  it('answers a missing file 404 and a stranger’s request 404 too', async () => {
    expect((await t.files.read('/nope.txt')).status).toBe(404);
    const stranger = await kit.signUp();
    const theirs = new FilesClient(stack.gatewayUrl, stranger.session.accessToken, t.server.id);
    expect((await theirs.list('/')).status).toBe(404);
    expect((await theirs.read('/server.properties')).status).toBe(404);
  });
});
