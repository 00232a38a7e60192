import { Inject, Injectable } from '@nestjs/common';
import { PassThrough, type Readable, Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  DomainError,
  type Extracted,
  type FileEntry,
  type FileHost,
  filePermissions,
  type RpcPayload,
} from '@blockplane/contracts';
import { ServerAccess } from '../access/server-access.js';
import { FILES_CONFIG, type FilesConfig } from '../files.config.js';
import { located, temporaryName } from '../operations/file-operations.service.js';
import { singleEntry } from '../operations/file-entries.js';
import { DataPath } from '../paths/data-path.js';
import { FileHosts } from '../pod/file-hosts.js';
import { InPod } from '../pod/in-pod.js';
import { CanonicalTar, type TarTotals, unprocessable } from './tar-codec.js';

/** A tiny archive may expand a lot without harm: the ratio limit applies past this many bytes. */
const RATIO_FLOOR_BYTES = 16 * 1024 * 1024;
const ARCHIVE_SUFFIX = /\.(tar\.gz|tgz)$/;

/** Compresses a selection into a `.tar.gz` in the pod; extracts `.tar`/`.tar.gz` after checking every entry. */
@Injectable()
export class ArchiveService {
  constructor(
    private readonly access: ServerAccess,
    private readonly hosts: FileHosts,
    private readonly pod: InPod,
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
  ) {}

  async compress({ actor, serverId, paths, to }: RpcPayload<'files.compress'>): Promise<FileEntry> {
    await this.access.require(actor, serverId, filePermissions.compress);
    const selection = [...new Map(paths.map((p) => DataPath.parse(p, 'paths')).map((p) => [p.toString(), p])).values()];
    const folder = selection[0]?.parent ?? DataPath.root;
    if (selection.some((p) => p.isRoot || !p.parent.equals(folder))) {
      throw new DomainError('VALIDATION_FAILED', 'paths must be entries of one folder (not the data folder itself)', {
        field: 'paths',
      });
    }
    const archive = DataPath.parse(to, 'to');
    if (!ARCHIVE_SUFFIX.test(archive.name)) {
      throw new DomainError('VALIDATION_FAILED', 'to must name a .tar.gz or .tgz file', { field: 'to' });
    }
    const args = [
      folder.relative,
      archive.parent.relative,
      temporaryName(),
      archive.name,
      ...selection.map((p) => p.name),
    ];
    const out = await this.hosts.using(serverId, (host) => this.pod.run(host, 'compress', args));
    return singleEntry(out, archive);
  }

  /**
   * Two passes over the archive's bytes: the first only checks (so a bad archive is refused before anything
   * is written), the second checks again while it feeds the canonical tar to `tar -x` — the bytes extracted
   * are the bytes checked, even if the archive changed in between.
   */
  async extract({ actor, serverId, path, to }: RpcPayload<'files.extract'>): Promise<Extracted> {
    await this.access.require(actor, serverId, filePermissions.extract);
    const archive = DataPath.parse(path);
    if (archive.isRoot) throw new DomainError('VALIDATION_FAILED', 'path must name an archive', { field: 'path' });
    const folder = DataPath.parse(to, 'to');
    return this.hosts.using(serverId, async (host) => {
      const size = await this.archiveSize(host, archive);
      const totals = await this.pass(host, archive, size, new Writable({ write: (_c, _e, done) => done() }));
      const free = Number((await this.pod.run(host, 'free', [])).toString('latin1').trim());
      if (free - totals.bytes < this.config.limits.minFreeBytes) {
        throw new DomainError('PAYLOAD_TOO_LARGE', 'not enough free space on the volume to extract the archive');
      }
      const feed = new PassThrough();
      const refusal = this.pod.run(host, 'extract', [folder.relative], { stdin: feed }).then(
        () => undefined,
        (error: unknown) => {
          feed.destroy();
          return error;
        },
      );
      const fed = await this.pass(host, archive, size, feed).then(
        (totals) => ({ totals }),
        (error: unknown) => ({ error }),
      );
      // When both sides fail, one explains the other: a refused entry cuts tar's input, and the pod refusing
      // (a folder leading out of /data) cuts the feed. The explanation is the DomainError, the entry's first.
      const failures = ['error' in fed ? fed.error : undefined, await refusal].filter((e) => e !== undefined);
      const failure = failures.find((e) => e instanceof DomainError) ?? failures[0];
      if (failure !== undefined || !('totals' in fed)) throw failure;
      return { to: folder.toString(), ...fed.totals };
    });
  }

  private async archiveSize(host: FileHost, archive: DataPath): Promise<number> {
    const entry = singleEntry(await this.pod.run(host, 'stat', located(archive)), archive);
    if (entry.type !== 'file')
      throw new DomainError('VALIDATION_FAILED', 'path is not a regular file', { field: 'path' });
    return entry.size;
  }

  /** Streams the archive out of the pod through gunzip (when gzip), the ratio guard and the canonical tar into `sink`. */
  private async pass(host: FileHost, archive: DataPath, size: number, sink: Writable): Promise<TarTotals> {
    const [uid = 0, gid = 0] = host.owner.split(':').map(Number);
    const canonical = new CanonicalTar(
      { entries: this.config.limits.archiveEntries, bytes: this.config.limits.archiveBytes },
      { uid, gid },
    );
    const source = new PassThrough();
    const cancel = new AbortController();
    const reading = this.pod.run(host, 'read', [...located(archive), String(size)], {
      stdout: source,
      signal: cancel.signal,
    });
    reading.then(
      () => source.end(),
      (error: unknown) => source.destroy(error as Error),
    );
    try {
      const gzip = await startsWithGzip(source);
      const expanded = new ExpansionGuard(Math.max(size * this.config.limits.archiveRatio, RATIO_FLOOR_BYTES));
      await (gzip
        ? pipeline(source, createGunzip(), expanded, canonical, sink)
        : pipeline(source, expanded, canonical, sink));
      await reading;
      return canonical.totals;
    } catch (error) {
      cancel.abort();
      await reading.catch(() => undefined);
      throw error;
    }
  }
}

/** Whether the stream starts with gzip's magic; the bytes read are put back. A zip is named as such. */
async function startsWithGzip(source: Readable): Promise<boolean> {
  const head = await new Promise<Buffer>((resolve, reject) => {
    const onReadable = () => {
      const chunk = source.read() as Buffer | null;
      if (chunk === null && !source.readableEnded) return;
      cleanup();
      resolve(chunk ?? Buffer.alloc(0));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.alloc(0));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      source.off('readable', onReadable);
      source.off('end', onEnd);
      source.off('error', onError);
    };
    source.on('readable', onReadable);
    source.once('end', onEnd);
    source.once('error', onError);
  });
  if (head.length) source.unshift(head);
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) {
    throw unprocessable('zip archives are not supported: only .tar and .tar.gz can be extracted');
  }
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Stops a decompression bomb as it expands, before any limit on the entries it claims can be checked. */
class ExpansionGuard extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      return done(unprocessable('the archive expands too much for its size (a decompression bomb?)'));
    }
    done(null, chunk);
  }
}
