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
import { type ZipDirectory, ZipToTar } from './zip-codec.js';

/** A tiny archive may expand a lot without harm: the ratio limit applies past this many bytes. */
const RATIO_FLOOR_BYTES = 16 * 1024 * 1024;
const ARCHIVE_SUFFIX = /\.(tar\.gz|tgz)$/;

/** Compresses a selection into a `.tar.gz` in the pod; extracts a `.tar`, `.tar.gz` or `.zip`, checking every entry. */
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
      const survey: Survey = {};
      const totals = await this.pass(host, archive, size, new Writable({ write: (_c, _e, done) => done() }), survey);
      const free = Number((await this.pod.run(host, 'free', [])).toString('latin1').trim());
      if (free - totals.bytes < this.config.limits.minFreeBytes) {
        throw new DomainError('PAYLOAD_TOO_LARGE', 'not enough free space on the volume to extract the archive');
      }
      const feed = new PassThrough();
      // The pod refusing (a folder leading out of /data) ends the second pass at once, wherever it is.
      const refused = new AbortController();
      const refusal = this.pod.run(host, 'extract', [folder.relative], { stdin: feed }).then(
        () => undefined,
        (error: unknown) => {
          refused.abort(error);
          feed.destroy();
          return error;
        },
      );
      const fed = await this.pass(host, archive, size, feed, survey, refused.signal).then(
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

  /**
   * Streams the archive out of the pod through its decoder (gunzip, or zip to tar), the ratio guard and the
   * canonical tar into `sink`. The first pass fills `survey`; the second holds the archive to it. `signal` cuts
   * the pass, its reading exec included, and its reason is then the pass's error.
   */
  private async pass(
    host: FileHost,
    archive: DataPath,
    size: number,
    sink: Writable,
    survey: Survey,
    signal?: AbortSignal,
  ): Promise<TarTotals> {
    const [uid = 0, gid = 0] = host.owner.split(':').map(Number);
    const canonical = new CanonicalTar(
      { entries: this.config.limits.archiveEntries, bytes: this.config.limits.archiveBytes },
      { uid, gid },
    );
    const source = new PassThrough();
    const cancel = new AbortController();
    const stop = signal ? AbortSignal.any([cancel.signal, signal]) : cancel.signal;
    const reading = this.pod.run(host, 'read', [...located(archive), String(size)], { stdout: source, signal: stop });
    reading.then(
      () => source.end(),
      (error: unknown) => source.destroy(error as Error),
    );
    try {
      const format = await archiveFormat(source);
      if ((survey.format ?? format) !== format) throw unprocessable('the archive changed while it was extracted');
      survey.format = format;
      const zip =
        format === 'zip' ? new ZipToTar({ entries: this.config.limits.archiveEntries }, survey.zip) : undefined;
      const decoders = format === 'gzip' ? [createGunzip()] : zip ? [zip.stream] : [];
      const expanded = new ExpansionGuard(Math.max(size * this.config.limits.archiveRatio, RATIO_FLOOR_BYTES));
      await pipeline([source, ...decoders, expanded, canonical, sink], { signal: stop });
      await reading;
      survey.zip = zip?.directory;
      return canonical.totals;
    } catch (error) {
      const failure: unknown = signal?.aborted ? signal.reason : error;
      cancel.abort();
      await reading.catch(() => undefined);
      throw failure;
    }
  }
}

/** The archive's format by its first bytes (gzip's and zip's magic, else tar); the bytes read are put back. */
async function archiveFormat(source: Readable): Promise<ArchiveFormat> {
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
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  const magic = head.subarray(0, 4).toString('latin1');
  return magic === 'PK\x03\x04' || magic === 'PK\x05\x06' ? 'zip' : 'tar';
}

type ArchiveFormat = 'gzip' | 'zip' | 'tar';

/** What the first pass learnt that the second must hold to: the format, and a zip's central directory. */
interface Survey {
  format?: ArchiveFormat;
  zip?: ZipDirectory;
}

/** Stops a decompression bomb as it expands, before any limit on the entries it claims can be checked. */
export class ExpansionGuard extends Transform {
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
