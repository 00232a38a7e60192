import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import {
  type ActivityEntry,
  activityEntrySchema,
  type Actor,
  DomainError,
  type FileEntry,
  type Permission,
  type RpcSubject,
} from '@blockplane/contracts';
import { freePort, waitFor } from '@blockplane/testing';
import { RouteCatalogue } from '../access/route-catalogue.js';
import { anAccess, GatewayTestKit } from '../testing/gateway-test-kit.js';

// The gateway's file routes against the real gateway on NATS; the files service is stood in by NATS
// responders for its RPCs and by a plain HTTP server for its byte streams, so every answer it could
// give (and every way it could fail or stall) is a case here. tests/ drives the real files service.

const MIB = 1024 * 1024;
const owner: Actor = { userId: randomUUID(), role: 'user' };
const reader: Actor = { userId: randomUUID(), role: 'user' };
const serverId = randomUUID();
const base = `/api/v1/servers/${serverId}/files`;

const anEntry = (path: string, overrides: Partial<FileEntry> = {}): FileEntry => ({
  name: path.split('/').at(-1) ?? '',
  path,
  type: 'file',
  size: 3,
  mode: '0644',
  modifiedAt: new Date().toISOString(),
  target: null,
  ...overrides,
});

/** What the stand-in files service saw of one stream request. */
interface Seen {
  method: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The request closed before its body ended: the gateway let go of an upload. */
  aborted: boolean;
  /** The answer closed before it ended: the gateway let go of a download. */
  cut: boolean;
}

/** The files service's HTTP port, answering as the current test says. */
class UpstreamStandIn {
  readonly seen: Seen[] = [];
  handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void = (_req, res) => res.end();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const seen: Seen = {
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.alloc(0),
        aborted: false,
        cut: false,
      };
      this.seen.push(seen);
      req.once('close', () => (seen.aborted = !req.complete));
      res.once('close', () => (seen.cut = !res.writableFinished));
      this.handle(req, res, seen);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get last(): Seen {
    const seen = this.seen.at(-1);
    if (!seen) throw new Error('the files service got no request');
    return seen;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** Reads the whole body into `seen`, then answers `status` with `body` as JSON. */
const takeAll =
  (status: number, body: unknown) =>
  (req: IncomingMessage, res: ServerResponse, seen: Seen): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.body = Buffer.concat(chunks);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  };

const jsonError = (status: number, code: string, message: string, details?: unknown) =>
  takeAll(status, { error: { code, message, ...(details === undefined ? {} : { details }) } });

/** `total` bytes written as fast as the reader takes them; `written` and `blocked` say how far it got. */
function writeUntilFull(res: ServerResponse, total: number) {
  const progress = { written: 0, blocked: false, finished: false };
  const block = randomBytes(64 * 1024);
  const more = () => {
    progress.blocked = false;
    while (progress.written < total) {
      progress.written += block.length;
      if (!res.write(block)) {
        progress.blocked = true;
        res.once('drain', more);
        return;
      }
    }
    progress.finished = true;
    res.end();
  };
  more();
  return progress;
}

/** Waits until `count` has stopped moving for two looks in a row: the pipe between both ends is full. */
async function settled(count: () => number): Promise<number> {
  let last = -1;
  return waitFor(
    'the stream to stall',
    () => {
      const now = count();
      const still = now === last && now > 0;
      last = now;
      return still && now;
    },
    { intervalMs: 500, timeoutMs: 20_000 },
  );
}

describe('gateway file routes', () => {
  let kit: GatewayTestKit;
  let auth: { Authorization: string };
  let readerAuth: { Authorization: string };
  const upstream = new UpstreamStandIn();

  /** How many files.* requests the stand-ins have answered so far. */
  const filesCalls = () =>
    [...kit.received.entries()]
      .filter(([subject]) => subject.startsWith('files.'))
      .reduce((count, [, requests]) => count + requests.length, 0);

  /** The entries recorded for `actor` so far, checked against the contract. */
  const recorded = async (actor: Actor): Promise<ActivityEntry[]> => {
    const events = await kit.published('activity.recorded');
    return events.map((event) => activityEntrySchema.parse(event.data)).filter((e) => e.actorId === actor.userId);
  };

  beforeAll(async () => {
    await upstream.start();
    kit = await GatewayTestKit.start();
    auth = await kit.bearer(owner);
    readerAuth = await kit.bearer(reader);
    kit.answer('servers.access', ({ actor, serverId: id }) =>
      actor.userId === reader.userId
        ? anAccess(actor, { serverId: id, ownerId: owner.userId, kind: 'subuser', permissions: ['file.read'] })
        : anAccess(actor, { serverId: id }),
    );
    kit.answer('files.transfer', ({ kind }) => ({
      method: kind === 'write' ? 'PUT' : kind === 'upload' ? 'POST' : 'GET',
      url: `${upstream.url}/transfers`,
      token: `grant-${randomUUID()}`,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    }));
    kit.answer('files.list', ({ path }) => ({ path, entries: [anEntry(`${path}/a`)], total: 1, nextCursor: null }));
    kit.answer('files.stat', ({ path }) => anEntry(path));
    kit.answer('files.mkdir', ({ path }) => anEntry(path, { type: 'directory' }));
    kit.answer('files.rename', ({ to }) => anEntry(to));
    kit.answer('files.copy', ({ to }) => anEntry(to));
    kit.answer('files.delete', ({ paths }) => ({ deleted: paths }));
    kit.answer('files.chmod', ({ path, mode }) => anEntry(path, { mode: mode.padStart(4, '0') }));
    kit.answer('files.compress', ({ to }) => anEntry(to));
    kit.answer('files.extract', ({ to }) => ({ to, files: 2, directories: 1, bytes: 10 }));
  });
  afterAll(async () => {
    await upstream.stop();
    await kit.close();
  });
  beforeEach(() => {
    upstream.handle = (_req, res) => res.end();
  });

  it('declares one server permission on every file route, and records every change', () => {
    const routes = kit.app
      .get(RouteCatalogue)
      .routes.filter((route) => route.path.startsWith('/api/v1/servers/:id/files'))
      .map(({ method, path, rule, activity }) => [
        `${method} ${path.slice('/api/v1/servers/:id/'.length)}`,
        rule,
        activity,
      ]);
    const server = (need: Permission) => ({ kind: 'server', need });
    expect(Object.fromEntries(routes.map(([key, rule, activity]) => [key, { rule, activity }]))).toEqual({
      'GET files': { rule: server('file.read'), activity: null },
      'GET files/stat': { rule: server('file.read'), activity: null },
      'GET files/content': { rule: server('file.read-content'), activity: null },
      'PUT files/content': { rule: server('file.update'), activity: 'file.write' },
      'POST files/directory': { rule: server('file.create'), activity: 'file.mkdir' },
      'POST files/rename': { rule: server('file.update'), activity: 'file.rename' },
      'POST files/copy': { rule: server('file.create'), activity: 'file.copy' },
      'POST files/delete': { rule: server('file.delete'), activity: 'file.delete' },
      'POST files/upload': { rule: server('file.create'), activity: 'file.upload' },
      'GET files/download': { rule: server('file.read-content'), activity: null },
      'POST files/compress': { rule: server('file.archive'), activity: 'file.compress' },
      'POST files/extract': { rule: server('file.archive'), activity: 'file.extract' },
      'POST files/chmod': { rule: server('file.update'), activity: 'file.chmod' },
    });
  });

  describe('operations', () => {
    it('carries each one to the files service with the caller and the validated request', async () => {
      const listed = await request(kit.url).get(`${base}?path=/plugins&limit=10`).set(auth).expect(200);
      expect(listed.body.entries[0].path).toBe('/plugins/a');
      expect(kit.last('files.list')).toEqual({ actor: owner, serverId, path: '/plugins', limit: 10 });
      await request(kit.url).get(base).set(auth).expect(200);
      expect(kit.last('files.list')).toEqual({ actor: owner, serverId, path: '/', limit: 200 });

      const odd = '/a b/$(x) `y` "z"\u00e9.txt';
      await request(kit.url).get(`${base}/stat`).query({ path: odd }).set(auth).expect(200);
      expect(kit.last('files.stat')).toEqual({ actor: owner, serverId, path: odd });

      const calls: Array<[string, object, number, RpcSubject]> = [
        ['directory', { path: '/plugins/new' }, 201, 'files.mkdir'],
        ['rename', { from: '/a.txt', to: '/b.txt' }, 200, 'files.rename'],
        ['copy', { from: '/b.txt', to: '/c.txt' }, 201, 'files.copy'],
        ['delete', { paths: ['/c.txt', '/old'] }, 200, 'files.delete'],
        ['chmod', { path: '/start.sh', mode: '755' }, 200, 'files.chmod'],
        ['compress', { paths: ['/world', '/b.txt'], to: '/backup.tar.gz' }, 201, 'files.compress'],
        ['extract', { path: '/backup.tar.gz', to: '/restored' }, 200, 'files.extract'],
      ];
      for (const [route, body, status, subject] of calls) {
        await request(kit.url).post(`${base}/${route}`).set(auth).send(body).expect(status);
        expect(kit.last(subject)).toEqual({ actor: owner, serverId, ...body });
      }
    });

    it('records each change with the paths it named, after it succeeded', async () => {
      const actor: Actor = { userId: randomUUID(), role: 'user' };
      const as = await kit.bearer(actor);
      await request(kit.url).post(`${base}/directory`).set(as).send({ path: '/d' }).expect(201);
      await request(kit.url).post(`${base}/rename`).set(as).send({ from: '/a', to: '/b' }).expect(200);
      await request(kit.url).post(`${base}/copy`).set(as).send({ from: '/b', to: '/c' }).expect(201);
      await request(kit.url)
        .post(`${base}/delete`)
        .set(as)
        .send({ paths: ['/c'] })
        .expect(200);
      await request(kit.url).post(`${base}/chmod`).set(as).send({ path: '/b', mode: '0700' }).expect(200);
      await request(kit.url)
        .post(`${base}/compress`)
        .set(as)
        .send({ paths: ['/b'], to: '/b.tgz' })
        .expect(201);
      await request(kit.url).post(`${base}/extract`).set(as).send({ path: '/b.tgz', to: '/x' }).expect(200);
      kit.answer('files.mkdir', () => {
        throw new DomainError('CONFLICT', 'already exists');
      });
      await request(kit.url).post(`${base}/directory`).set(as).send({ path: '/d' }).expect(409);
      kit.answer('files.mkdir', ({ path }) => anEntry(path, { type: 'directory' }));

      expect((await recorded(actor)).map(({ action, serverId: id, details }) => ({ action, id, details }))).toEqual([
        { action: 'file.mkdir', id: serverId, details: { path: '/d' } },
        { action: 'file.rename', id: serverId, details: { from: '/a', to: '/b' } },
        { action: 'file.copy', id: serverId, details: { from: '/b', to: '/c' } },
        { action: 'file.delete', id: serverId, details: { paths: ['/c'] } },
        { action: 'file.chmod', id: serverId, details: { path: '/b', mode: '0700' } },
        { action: 'file.compress', id: serverId, details: { paths: ['/b'], to: '/b.tgz' } },
        { action: 'file.extract', id: serverId, details: { path: '/b.tgz', to: '/x' } },
      ]);
    });

    it('refuses a malformed request before asking the files service anything', async () => {
      const before = filesCalls();
      const bad: Array<[string, unknown]> = [
        ['directory', { path: '/d', mode: '777' }],
        ['chmod', { path: '/d', mode: '4755' }],
        ['delete', { paths: Array.from({ length: 101 }, (_, i) => `/f${i}`) }],
        ['delete', { paths: [] }],
        ['rename', { from: '/a' }],
        ['compress', { paths: '/a', to: '/a.tgz' }],
        ['extract', { path: 7, to: '/x' }],
      ];
      for (const [route, body] of bad) {
        const res = await request(kit.url)
          .post(`${base}/${route}`)
          .set(auth)
          .send(body as object);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
      for (const query of ['path=a&path=b', '', 'path=/a&other=1', `path=${'x'.repeat(4097)}`]) {
        await request(kit.url).get(`${base}/stat?${query}`).set(auth).expect(400);
      }
      await request(kit.url).get(`${base}?limit=501`).set(auth).expect(400);
      await request(kit.url).get('/api/v1/servers/not-a-uuid/files').set(auth).expect(404);
      expect(filesCalls()).toBe(before);
    });

    it('lets a sub-user holding file.read list, and nothing more (403 naming the permission)', async () => {
      await request(kit.url).get(base).set(readerAuth).expect(200);
      const before = filesCalls();
      const refused = await request(kit.url)
        .put(`${base}/content?path=/server.properties`)
        .set(readerAuth)
        .set('content-type', 'application/octet-stream')
        .send(Buffer.from('motd=pwned\n'))
        .expect(403);
      expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'file.update' } });
      await request(kit.url).get(`${base}/download?path=/world`).set(readerAuth).expect(403);
      await request(kit.url)
        .post(`${base}/delete`)
        .set(readerAuth)
        .send({ paths: ['/world'] })
        .expect(403);
      expect(filesCalls()).toBe(before);
    });
  });

  describe('byte streams', () => {
    const url = (route: string, path: string) => `${kit.url}${base}/${route}?path=${encodeURIComponent(path)}`;
    const bearer = () => auth.Authorization;

    it('streams a download byte for byte with its headers, on a grant of its own and nothing of the caller', async () => {
      const bytes = randomBytes(5 * MIB + 7);
      const modified = new Date('2026-01-02T03:04:05Z').toUTCString();
      upstream.handle = (_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': String(bytes.length),
          'content-disposition': `attachment; filename="w.bin"; filename*=UTF-8''w.bin`,
          'last-modified': modified,
          'x-internal': 'not for the client',
          'set-cookie': 'files=1',
        });
        res.end(bytes);
      };
      const res = await fetch(url('download', '/world/w.bin'), {
        headers: { authorization: bearer(), cookie: 'session=secret' },
      });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      expect(Object.fromEntries(res.headers)).toMatchObject({
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.length),
        'content-disposition': `attachment; filename="w.bin"; filename*=UTF-8''w.bin`,
        'last-modified': modified,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      expect(res.headers.get('x-internal')).toBeNull();
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(kit.last('files.transfer')).toEqual({ actor: owner, serverId, kind: 'download', path: '/world/w.bin' });
      const seen = upstream.last;
      expect(seen.method).toBe('GET');
      expect(seen.headers.authorization).toMatch(/^Bearer grant-/);
      expect(seen.headers.cookie).toBeUndefined();
      expect(JSON.stringify(seen.headers)).not.toContain(bearer().slice(7));

      await fetch(url('content', '/server.properties'), { headers: { authorization: bearer() } });
      expect(kit.last('files.transfer')).toMatchObject({ kind: 'read', path: '/server.properties' });
    });

    it('streams a written file and an upload on unchanged, and records their paths', async () => {
      const actor: Actor = { userId: randomUUID(), role: 'user' };
      const as = `Bearer ${await kit.token({ actor })}`;
      const bytes = randomBytes(3 * MIB + 1);
      upstream.handle = takeAll(200, anEntry('/plugins/a b.jar', { size: bytes.length }));
      const written = await fetch(url('content', '/plugins/a b.jar'), {
        method: 'PUT',
        headers: { authorization: as, 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      expect(written.status).toBe(200);
      expect(((await written.json()) as FileEntry).size).toBe(bytes.length);
      expect(upstream.last).toMatchObject({ method: 'PUT', aborted: false });
      expect(upstream.last.headers).toMatchObject({
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.length),
      });
      expect(upstream.last.body.equals(bytes)).toBe(true);
      expect(kit.last('files.transfer')).toMatchObject({ kind: 'write', path: '/plugins/a b.jar' });

      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)]), 'a "b" $(c).bin');
      form.append('file', new Blob(['second']), 'sub/ü.txt');
      const multipart = new Request('http://localhost', { method: 'POST', body: form });
      const type = multipart.headers.get('content-type') ?? '';
      const body = Buffer.from(await multipart.arrayBuffer());
      const files = [
        { path: '/up/a "b" $(c).bin', size: bytes.length },
        { path: '/up/sub/ü.txt', size: 6 },
      ];
      upstream.handle = takeAll(201, { files });
      const uploaded = await fetch(url('upload', '/up'), {
        method: 'POST',
        headers: { authorization: as, 'content-type': type },
        body,
      });
      expect(uploaded.status).toBe(201);
      expect(await uploaded.json()).toEqual({ files });
      expect(upstream.last.headers['content-type']).toBe(type);
      expect(upstream.last.body.equals(body)).toBe(true);

      const entries = await recorded(actor);
      expect(entries.map(({ action, details }) => ({ action, details }))).toEqual([
        { action: 'file.write', details: { path: '/plugins/a b.jar' } },
        { action: 'file.upload', details: { files: files.map((f) => f.path), count: 2 } },
      ]);
      expect(JSON.stringify(entries)).not.toContain('second');
    });

    it('refuses a body of the wrong type, or encoded, before asking for a grant', async () => {
      const grants = kit.received.get('files.transfer')?.length ?? 0;
      const asJson = await fetch(url('content', '/a.txt'), {
        method: 'PUT',
        headers: { authorization: bearer(), 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'x' }),
      });
      expect(asJson.status).toBe(400);
      expect(await asJson.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      const notMultipart = await fetch(url('upload', '/'), {
        method: 'POST',
        headers: { authorization: bearer(), 'content-type': 'application/octet-stream' },
        body: 'x',
      });
      expect(notMultipart.status).toBe(400);
      const encoded = await fetch(url('content', '/a.txt'), {
        method: 'PUT',
        headers: { authorization: bearer(), 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' },
        body: gzipSync('x'),
      });
      expect(encoded.status).toBe(400);
      expect(kit.received.get('files.transfer')?.length ?? 0).toBe(grants);
    });

    it.each([
      [404, 'NOT_FOUND', 'no such file', undefined],
      [413, 'PAYLOAD_TOO_LARGE', 'the file is over 4194304 bytes', undefined],
      [422, 'UNPROCESSABLE', 'not an archive', { entry: 'x' }],
      [403, 'FORBIDDEN', 'the path leads out of the data directory', undefined],
    ])('passes a %i from the files service on in the one error shape', async (status, code, message, details) => {
      upstream.handle = jsonError(status, code, message, details);
      const res = await fetch(url('download', '/x'), { headers: { authorization: bearer() } });
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error: { code, message, ...(details ? { details } : {}) } });
    });

    it('never passes a refused grant on as the caller’s 401, nor a stranger’s answer as it came', async () => {
      upstream.handle = jsonError(401, 'UNAUTHENTICATED', 'the grant is not valid');
      const refused = await fetch(url('content', '/x'), { headers: { authorization: bearer() } });
      expect(refused.status).toBe(500);
      expect(refused.headers.get('www-authenticate')).toBeNull();
      upstream.handle = (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>bad gateway</h1>');
      const garbled = await fetch(url('content', '/x'), { headers: { authorization: bearer() } });
      expect(garbled.status).toBe(500);
      expect(await garbled.json()).toMatchObject({ error: { code: 'INTERNAL' } });
    });

    it('answers 503 when the files service cannot be reached', async () => {
      const closed = `http://127.0.0.1:${await freePort()}/transfers`;
      kit.answer('files.transfer', () => ({
        method: 'GET',
        url: closed,
        token: 'grant',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      }));
      try {
        const res = await fetch(url('download', '/x'), { headers: { authorization: bearer() } });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
      } finally {
        kit.answer('files.transfer', ({ kind }) => ({
          method: kind === 'write' ? 'PUT' : kind === 'upload' ? 'POST' : 'GET',
          url: `${upstream.url}/transfers`,
          token: `grant-${randomUUID()}`,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        }));
      }
    });

    it.each([
      ['with a length', true],
      ['chunked', false],
    ])('cuts the client’s connection when the files service fails after the first byte (%s)', async (_, sized) => {
      upstream.handle = (_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          ...(sized ? { 'content-length': String(2 * MIB) } : {}),
        });
        res.write(randomBytes(MIB), () => res.destroy());
      };
      const res = await fetch(url('download', '/big'), { headers: { authorization: bearer() } });
      expect(res.status).toBe(200);
      await expect(res.arrayBuffer()).rejects.toThrow();
    });

    it('keeps a download to the pace of a client that does not read, and stops it when the client goes away', async () => {
      const total = 512 * MIB;
      let progress = { written: 0, blocked: false, finished: false };
      upstream.handle = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
        progress = writeUntilFull(res, total);
      };
      const client = new AbortController();
      const res = await fetch(url('download', '/huge'), {
        headers: { authorization: bearer() },
        signal: client.signal,
      });
      expect(res.status).toBe(200);
      // Nobody reads: the files service gets only as far as the buffers between both ends hold.
      const stalled = await settled(() => progress.written);
      expect(progress.blocked).toBe(true);
      expect(stalled).toBeLessThan(64 * MIB);
      const seen = upstream.last;
      client.abort();
      await waitFor('the files service to see the download end', () => seen.cut);
      expect(progress.finished).toBe(false);
    });

    it('keeps an upload to the pace of the files service, and stops it when the client goes away', async () => {
      let reading: IncomingMessage | undefined;
      upstream.handle = (req) => {
        reading = req.pause();
      };
      const total = 512 * MIB;
      let produced = 0;
      const block = randomBytes(64 * 1024);
      const source = new Readable({
        read() {
          produced += block.length;
          this.push(produced > total ? null : block);
        },
      });
      const client = new AbortController();
      const sending = fetch(url('content', '/huge.bin'), {
        method: 'PUT',
        headers: { authorization: bearer(), 'content-type': 'application/octet-stream' },
        body: Readable.toWeb(source) as ReadableStream,
        duplex: 'half',
        signal: client.signal,
      } as RequestInit);
      sending.catch(() => undefined);
      // The files service reads nothing: the client gets only as far as the buffers between both ends hold.
      const stalled = await settled(() => produced);
      expect(stalled).toBeLessThan(64 * MIB);
      const seen = upstream.last;
      client.abort();
      // The files service reads on (as it does, at the pod's pace) and hears of the client's leaving.
      reading?.resume();
      await waitFor('the files service to see the upload end', () => seen.aborted);
    });

    it('answers the files service’s refusal of a body it did not read, and lets go of that connection', async () => {
      // As the files service refuses a declared size over its limit: before reading a byte.
      let connection: Socket | undefined;
      upstream.handle = (req, res) => {
        connection = req.socket;
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'over the editor limit' } }));
      };
      const body = randomBytes(8 * MIB);
      // Several times: an answer under a body still being sent is a race that a reset connection loses.
      for (let i = 0; i < 10; i++) {
        const res = await fetch(url('content', '/big.txt'), {
          method: 'PUT',
          headers: { authorization: bearer(), 'content-type': 'application/octet-stream' },
          body,
        });
        expect(res.status).toBe(413);
        expect(await res.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'over the editor limit' } });
        const answered = connection;
        await waitFor('the gateway to let go of the refused write', () => answered?.destroyed);
      }
    });

    it('answers the files service’s refusal of an upload while the client is still sending', async () => {
      // As the files service refuses a file over the upload limit: it stops reading, then answers and closes.
      let produced = 0;
      let refuse: (() => void) | undefined;
      upstream.handle = (req, res) => {
        req.once('data', () => {
          req.pause();
          refuse = () => {
            res.setHeader('connection', 'close');
            res.writeHead(413, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'over the upload limit' } }));
          };
        });
      };
      const boundary = `b${randomUUID()}`;
      const block = randomBytes(64 * 1024);
      const source = new Readable({
        read() {
          if (produced === 0)
            this.push(`--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n\r\n`);
          produced += block.length;
          this.push(block);
        },
      });
      const answer = fetch(url('upload', '/'), {
        method: 'POST',
        headers: { authorization: bearer(), 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: Readable.toWeb(source) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      await settled(() => produced);
      refuse?.();
      const res = await answer;
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'over the upload limit' } });
      source.destroy();
    });
  });
});
