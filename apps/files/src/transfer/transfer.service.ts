import type { AddressInfo } from 'node:net';
import { type Readable, Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import Busboy from 'busboy';
import type { Request, Response } from 'express';
import {
  DomainError,
  type FileEntry,
  type FileHost,
  filePermissions,
  type RpcPayload,
  type RpcResponse,
  type Uploaded,
} from '@blockplane/contracts';
import { ServerAccess } from '../access/server-access.js';
import { FILES_CONFIG, type FilesConfig } from '../files.config.js';
import { located, temporaryName } from '../operations/file-operations.service.js';
import { singleEntry } from '../operations/file-entries.js';
import { DataPath } from '../paths/data-path.js';
import { FileHosts } from '../pod/file-hosts.js';
import { InPod } from '../pod/in-pod.js';
import { type TransferGrant, TransferGrants } from './transfer-grants.js';

const methodOf = { read: 'GET', download: 'GET', write: 'PUT', upload: 'POST' } as const;
const MAX_UPLOAD_FILES = 1000;
/** Room for a few exec frames between the pod and the HTTP stream: bigger steps, less pausing. */
const STREAM_BUFFER = 1024 * 1024;

/** What the streams of one file did; checked before a file is committed or a download declared whole. */
class ByteCounter extends Transform {
  bytes = 0;

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {
    super({ highWaterMark: STREAM_BUFFER });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit)
      return done(new DomainError('PAYLOAD_TOO_LARGE', `the file is over ${this.limit} bytes`));
    done(null, chunk);
  }
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The byte streams: grants over NATS, then HTTP with back-pressure end to end — the pod's stdout is
 * written to the response and the exec socket paused while the response is full; a request body is
 * read only as fast as the pod takes it.
 */
@Injectable()
export class TransferService {
  constructor(
    private readonly access: ServerAccess,
    private readonly hosts: FileHosts,
    private readonly pod: InPod,
    private readonly grants: TransferGrants,
    private readonly adapter: HttpAdapterHost,
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
  ) {}

  async grant({ actor, serverId, kind, path }: RpcPayload<'files.transfer'>): Promise<RpcResponse<'files.transfer'>> {
    const permissions =
      kind === 'read' || kind === 'download'
        ? await this.access.require(actor, serverId, filePermissions[kind])
        : await this.access.require(actor, serverId, 'file.create', 'file.update');
    const target = DataPath.parse(path);
    if (target.isRoot && (kind === 'read' || kind === 'write')) {
      throw new DomainError('VALIDATION_FAILED', 'path must name a file', { field: 'path' });
    }
    const { token, expiresAt } = this.grants.issue({ kind, serverId, path: target, actor, permissions });
    return {
      method: methodOf[kind],
      url: `${this.baseUrl()}/transfers`,
      token,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** `read` and `download`: the bytes on `res`; errors before the first byte are answered as JSON by the caller. */
  async send(grant: TransferGrant, res: Response): Promise<void> {
    const cancel = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) cancel.abort();
    });
    await this.hosts.using(grant.serverId, async (host) => {
      const entry = singleEntry(await this.pod.run(host, 'stat', located(grant.path)), grant.path);
      if (entry.type === 'directory' && grant.kind === 'download')
        return this.sendFolder(host, grant, res, cancel.signal);
      if (entry.type !== 'file') throw notAFile(entry);
      if (grant.kind === 'read' && entry.size > this.config.limits.editorBytes) {
        throw new DomainError(
          'PAYLOAD_TOO_LARGE',
          `the file is ${entry.size} bytes; files over ${this.config.limits.editorBytes} bytes open as downloads`,
        );
      }
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', String(entry.size));
      res.setHeader('Last-Modified', new Date(entry.modifiedAt).toUTCString());
      if (grant.kind === 'download') res.setHeader('Content-Disposition', contentDisposition(entry.name));
      const sent = await this.stream(res, (out) =>
        this.pod.run(host, 'read', [...located(grant.path), String(entry.size)], {
          stdout: out,
          signal: cancel.signal,
        }),
      );
      // A file that shrank between stat and read: the client must not take a short body for the whole.
      if (sent !== entry.size) res.destroy();
      else res.end();
    });
  }

  /** `write` and `upload`: answers the new entry, or the uploaded files. */
  async receive(grant: TransferGrant, req: Request): Promise<FileEntry | Uploaded> {
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (grant.kind === 'write') {
      if (!req.is('application/octet-stream')) {
        throw new DomainError('VALIDATION_FAILED', 'send the file as Content-Type: application/octet-stream');
      }
      const limit = this.config.limits.editorBytes;
      if (declared !== undefined && declared > limit) {
        throw new DomainError(
          'PAYLOAD_TOO_LARGE',
          `files over ${limit} bytes must be uploaded, not saved from the editor`,
        );
      }
      return this.hosts.using(grant.serverId, (host) => this.writeFile(host, grant, grant.path, req, limit, declared));
    }
    if (!req.is('multipart/form-data'))
      throw new DomainError('VALIDATION_FAILED', 'send the files as multipart/form-data');
    return this.hosts.using(grant.serverId, (host) => this.upload(host, grant, req, declared));
  }

  private async sendFolder(host: FileHost, grant: TransferGrant, res: Response, signal: AbortSignal): Promise<void> {
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('Content-Disposition', contentDisposition(`${grant.path.name || 'data'}.tar.gz`));
    await this.stream(res, (out) => this.pod.run(host, 'archiveFolder', located(grant.path), { stdout: out, signal }));
    res.end();
  }

  /** Runs `produce` into the response through a counter; after the first byte, a failure can only cut the stream. */
  private async stream(res: Response, produce: (out: Writable) => Promise<unknown>): Promise<number> {
    const counter = new ByteCounter();
    counter.pipe(res, { end: false });
    try {
      await produce(counter);
    } catch (error) {
      if (res.headersSent) res.destroy();
      else for (const header of ['Content-Disposition', 'Content-Length', 'Last-Modified']) res.removeHeader(header);
      throw error;
    }
    counter.end();
    await new Promise((resolve) => counter.once('end', resolve));
    return counter.bytes;
  }

  /** Streams `source` into a temporary file beside the target, then commits it atomically if it arrived whole. */
  private async writeFile(
    host: FileHost,
    grant: TransferGrant,
    target: DataPath,
    source: Readable,
    limit: number,
    declared?: number,
  ): Promise<FileEntry> {
    const [folder, name] = located(target);
    const temporary = temporaryName();
    const counter = new ByteCounter(limit);
    const feeding = pipeline(source, counter);
    feeding.catch(() => undefined); // its error reaches the exec through the counter
    const expected = declared === undefined ? '' : String(declared);
    const may = (permission: 'file.create' | 'file.update') => (grant.permissions.has(permission) ? '1' : '0');
    try {
      await this.pod.run(host, 'writeTemp', [folder, temporary, expected, String(this.config.limits.minFreeBytes)], {
        stdin: counter,
      });
      await feeding;
      if (grant.kind === 'write' && declared !== undefined && counter.bytes !== declared) {
        throw new DomainError('VALIDATION_FAILED', `received ${counter.bytes} of the ${declared} bytes announced`);
      }
      const out = await this.pod.run(host, 'commit', [
        folder,
        temporary,
        name,
        String(counter.bytes),
        may('file.create'),
        may('file.update'),
      ]);
      return singleEntry(out, target);
    } catch (error) {
      source.destroy();
      await this.pod.run(host, 'discard', [folder, temporary]).catch(() => undefined);
      throw error;
    }
  }

  /** Each part's filename (which may hold sub-folders) lands under the granted folder; each file is atomic. */
  private upload(host: FileHost, grant: TransferGrant, req: Request, declared?: number): Promise<Uploaded> {
    const limit = this.config.limits.uploadBytes;
    const busboy = Busboy({
      headers: req.headers,
      // Filenames as browsers send them: UTF-8, with the sub-folders of a folder upload kept.
      defParamCharset: 'utf8',
      preservePath: true,
      limits: { fileSize: limit, files: MAX_UPLOAD_FILES, fields: 0, parts: MAX_UPLOAD_FILES },
    });
    const files: Array<Promise<{ path: string; size: number }>> = [];
    const open = new Set<Readable>();
    let failure: unknown;
    return new Promise<Uploaded>((resolve, reject) => {
      let settled = false;
      const settle = async () => {
        if (settled) return;
        settled = true;
        const results = await Promise.allSettled(files);
        if (failure === undefined && results.length === 0)
          failure = new DomainError('VALIDATION_FAILED', 'no file in the upload');
        const uploaded = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        if (failure === undefined) return resolve({ files: uploaded });
        const error = failure instanceof DomainError ? failure : new DomainError('INTERNAL', 'the upload failed');
        reject(new DomainError(error.code, error.message, { ...(error.details as object | undefined), uploaded }));
      };
      // The first failure stops the upload: files in flight are cut (and their temporary files removed),
      // the rest of the body is not read, and the answer closes the connection.
      const fail = (error: unknown) => {
        if (failure !== undefined) return;
        failure = error;
        req.unpipe(busboy);
        req.res?.setHeader('Connection', 'close');
        for (const stream of open) stream.destroy(error instanceof Error ? error : new Error(String(error)));
        void settle();
      };
      busboy.on('file', (_field, stream, info) => {
        let target: DataPath;
        try {
          // Browsers send a `"` in a filename as %22 (WHATWG multipart encoding).
          target = grant.path.join(DataPath.parseRelative(info.filename.replaceAll('%22', '"'), 'filename'));
          if (target.equals(grant.path)) throw new DomainError('VALIDATION_FAILED', 'a file part needs a filename');
        } catch (error) {
          stream.resume();
          return fail(error);
        }
        open.add(stream);
        stream.once('close', () => open.delete(stream));
        stream.once('limit', () =>
          stream.destroy(
            new DomainError('PAYLOAD_TOO_LARGE', `${target.toString()} is over the upload limit of ${limit} bytes`),
          ),
        );
        // The request's size bounds each file's: the free-space check asks for that much.
        const written = this.writeFile(host, grant, target, stream, limit, declared).then(
          (entry) => ({ path: entry.path, size: entry.size }),
          (error: unknown) => {
            fail(error);
            throw error;
          },
        );
        written.catch(() => undefined);
        files.push(written);
      });
      busboy.on('filesLimit', () =>
        fail(new DomainError('PAYLOAD_TOO_LARGE', `at most ${MAX_UPLOAD_FILES} files at a time`)),
      );
      busboy.on('partsLimit', () =>
        fail(new DomainError('PAYLOAD_TOO_LARGE', `at most ${MAX_UPLOAD_FILES} parts at a time`)),
      );
      busboy.on('fieldsLimit', () => fail(new DomainError('VALIDATION_FAILED', 'an upload carries files only')));
      busboy.once('close', () => void settle());
      busboy.once('error', (error) =>
        fail(new DomainError('VALIDATION_FAILED', `the upload is not valid multipart: ${(error as Error).message}`)),
      );
      req.once('error', (error) => fail(error));
      req.pipe(busboy);
    });
  }

  /** The address the gateway reaches this replica at: configured, or the one it listens on. */
  private baseUrl(): string {
    if (this.config.advertiseUrl) return this.config.advertiseUrl.replace(/\/+$/, '');
    const address = this.adapter.httpAdapter.getHttpServer().address() as AddressInfo;
    const host = ['0.0.0.0', '::', ''].includes(address.address) ? '127.0.0.1' : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }
}

function notAFile(entry: FileEntry): DomainError {
  const what =
    entry.type === 'symlink'
      ? 'is a symbolic link (links are not followed)'
      : entry.type === 'directory'
        ? 'is a folder'
        : 'is not a regular file';
  return new DomainError('VALIDATION_FAILED', `${entry.path} ${what}`);
}
