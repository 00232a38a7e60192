// The extraction's two passes against a scripted pod, to force an order of events a real pod gives only
// sometimes: the pod refusing the destination before the second pass has read a byte of the archive.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { DomainError, type FileHost } from '@blockplane/contracts';
import type { ServerAccess } from '../access/server-access.js';
import type { FilesConfig } from '../files.config.js';
import type { FileHosts } from '../pod/file-hosts.js';
import type { InPod } from '../pod/in-pod.js';
import type { ExecOptions } from '../pod/pod-exec.js';
import { ArchiveService } from './archive.service.js';

const host: FileHost = { namespace: 'ns', pod: 'p', container: 'c', kind: 'game', owner: '1000:1000', leaseMs: 60_000 };
const config = {
  limits: { archiveEntries: 100, archiveBytes: 1024 * 1024, archiveRatio: 50, minFreeBytes: 0 },
} as FilesConfig;

function smallTar(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'archive-spec-'));
  try {
    writeFileSync(join(dir, 'plain.txt'), 'plain');
    return execFileSync('tar', ['-c', '-f', '-', '-C', dir, 'plain.txt']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A pod whose second read of the archive never sends a byte (a stalled exec) until it is cancelled, and whose
 * `tar -x` refuses the destination at once.
 */
function refusingPod(archive: Buffer) {
  let reads = 0;
  const cancelled: boolean[] = [];
  const run = (_host: FileHost, script: string, _args: readonly string[], options: ExecOptions = {}) => {
    switch (script) {
      case 'stat':
        return Promise.resolve(Buffer.from(['ok.tar', 'f', archive.length, '644', '1700000000', '', ''].join('\0')));
      case 'free':
        return Promise.resolve(Buffer.from('1000000000\n'));
      case 'extract':
        return Promise.reject(new DomainError('FORBIDDEN', 'the path leads out of the data directory'));
      case 'read':
        reads += 1;
        if (reads === 1) {
          (options.stdout as Writable).write(archive);
          return Promise.resolve(Buffer.alloc(0));
        }
        return new Promise<Buffer>((_resolve, reject) => {
          const cancel = () => {
            cancelled.push(true);
            reject(new DomainError('UPSTREAM_UNAVAILABLE', 'the file operation was cancelled'));
          };
          if (options.signal?.aborted) cancel();
          else options.signal?.addEventListener('abort', cancel, { once: true });
        });
      default:
        return Promise.reject(new Error(`unexpected script ${script}`));
    }
  };
  return { pod: { run } as unknown as InPod, cancelled };
}

describe('ArchiveService.extract', () => {
  it("answers the pod's refusal at once, cutting a second pass that has not read a byte yet", async () => {
    const { pod, cancelled } = refusingPod(smallTar());
    const access = { require: () => Promise.resolve(new Set()) } as unknown as ServerAccess;
    const hosts = { using: <T>(_id: string, work: (h: FileHost) => Promise<T>) => work(host) } as unknown as FileHosts;
    const archives = new ArchiveService(access, hosts, pod, config);
    const actor = { userId: '00000000-0000-4000-8000-000000000000', role: 'user' as const };
    const extracting = archives.extract({ actor, serverId: 's', path: '/ok.tar', to: '/link-out/x' });
    await expect(extracting).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(cancelled).toEqual([true]);
  }, 5_000);
});
