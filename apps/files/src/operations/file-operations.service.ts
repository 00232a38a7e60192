import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { DomainError, type FileEntry, type FileList, filePermissions, type RpcPayload } from '@blockplane/contracts';
import { ServerAccess } from '../access/server-access.js';
import { DataPath } from '../paths/data-path.js';
import { FileHosts } from '../pod/file-hosts.js';
import { InPod, scriptError } from '../pod/in-pod.js';
import { decodeCursor, EntryStream, ListingPage, singleEntry } from './file-entries.js';

/** A name for work in progress, beside its final place: never guessed, never a user's name. */
export function temporaryName(): string {
  return `.bp-${randomBytes(12).toString('hex')}.tmp`;
}

/** `dir, name` arguments of a pod script for a path. */
export function located(path: DataPath): [string, string] {
  return [path.parent.relative, path.name];
}

function notRoot(path: DataPath, field: string, doing: string): DataPath {
  if (path.isRoot) throw new DomainError('VALIDATION_FAILED', `the data folder itself cannot be ${doing}`, { field });
  return path;
}

/** A move or copy: two distinct paths, the second not inside the first. */
function move(from: string, to: string, doing: string): [DataPath, DataPath] {
  const source = notRoot(DataPath.parse(from, 'from'), 'from', doing);
  const target = notRoot(DataPath.parse(to, 'to'), 'to', 'replaced');
  if (source.contains(target)) {
    throw new DomainError('VALIDATION_FAILED', `to must not be ${source.toString()} or inside it`, { field: 'to' });
  }
  return [source, target];
}

/** The small operations on a server's files: one pod script each, on the game pod or its helper. */
@Injectable()
export class FileOperations {
  constructor(
    private readonly access: ServerAccess,
    private readonly hosts: FileHosts,
    private readonly pod: InPod,
  ) {}

  async list({ actor, serverId, path, limit, cursor }: RpcPayload<'files.list'>): Promise<FileList> {
    await this.access.require(actor, serverId, filePermissions.list);
    const folder = DataPath.parse(path);
    const page = new ListingPage(limit, cursor === undefined ? undefined : decodeCursor(cursor));
    const entries = new EntryStream((entry) => page.add(entry));
    await this.hosts.using(serverId, (host) => this.pod.run(host, 'list', [folder.relative], { stdout: entries }));
    entries.end();
    await finished(entries);
    return { path: folder.toString(), ...page.result(folder) };
  }

  async stat({ actor, serverId, path }: RpcPayload<'files.stat'>): Promise<FileEntry> {
    await this.access.require(actor, serverId, filePermissions.stat);
    const target = DataPath.parse(path);
    const out = await this.hosts.using(serverId, (host) => this.pod.run(host, 'stat', located(target)));
    return singleEntry(out, target);
  }

  async mkdir({ actor, serverId, path }: RpcPayload<'files.mkdir'>): Promise<FileEntry> {
    await this.access.require(actor, serverId, filePermissions.mkdir);
    const target = DataPath.parse(path);
    if (target.isRoot) throw new DomainError('CONFLICT', 'the data folder already exists');
    const out = await this.hosts.using(serverId, (host) => this.pod.run(host, 'mkdir', located(target)));
    return singleEntry(out, target);
  }

  async rename({ actor, serverId, from, to }: RpcPayload<'files.rename'>): Promise<FileEntry> {
    await this.access.require(actor, serverId, filePermissions.rename);
    const [source, target] = move(from, to, 'moved');
    const out = await this.hosts.using(serverId, (host) =>
      this.pod.run(host, 'rename', [...located(source), ...located(target)]),
    );
    return singleEntry(out, target);
  }

  async copy({ actor, serverId, from, to }: RpcPayload<'files.copy'>): Promise<FileEntry> {
    await this.access.require(actor, serverId, filePermissions.copy);
    const [source, target] = move(from, to, 'copied');
    const out = await this.hosts.using(serverId, (host) =>
      this.pod.run(host, 'copy', [...located(source), ...located(target), temporaryName()]),
    );
    return singleEntry(out, target);
  }

  /** Deletes each path recursively; when some fail, the error's details say which went and which did not. */
  async delete({ actor, serverId, paths }: RpcPayload<'files.delete'>): Promise<{ deleted: string[] }> {
    await this.access.require(actor, serverId, filePermissions.delete);
    const targets = [...new Map(paths.map((p) => DataPath.parse(p, 'paths')).map((p) => [p.toString(), p])).values()];
    for (const target of targets) notRoot(target, 'paths', 'deleted');
    const out = await this.hosts.using(serverId, (host) => this.pod.run(host, 'delete', targets.flatMap(located)));
    const codes = out.toString('latin1').split('\0').slice(0, targets.length).map(Number);
    const deleted = targets.filter((_, i) => codes[i] === 0).map(String);
    const failed = targets.flatMap((target, i) => {
      const code = codes[i] ?? -1;
      return code === 0 ? [] : [{ path: target.toString(), error: scriptError(code, '').code }];
    });
    const first = failed[0];
    if (first) {
      throw new DomainError(first.error, `${failed.length} of ${targets.length} paths could not be deleted`, {
        deleted,
        failed,
      });
    }
    return { deleted };
  }

  async chmod({ actor, serverId, path, mode }: RpcPayload<'files.chmod'>): Promise<FileEntry> {
    await this.access.require(actor, serverId, filePermissions.chmod);
    const target = notRoot(DataPath.parse(path), 'path', 'changed');
    const octal = mode.padStart(4, '0');
    const out = await this.hosts.using(serverId, (host) => this.pod.run(host, 'chmod', [...located(target), octal]));
    return singleEntry(out, target);
  }
}
