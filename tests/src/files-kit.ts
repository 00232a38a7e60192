import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Exec, KubeConfig } from '@kubernetes/client-node';
import type { Server } from '@blockplane/contracts';
import { GatewayClient, type Stack, startStack } from '@blockplane/testing';

/** What the gateway answered: the status, the body (parsed JSON, else the raw bytes) and the headers. */
export interface FileAnswer<T = unknown> {
  status: number;
  body: T;
  bytes: Buffer;
  headers: Headers;
}

/** The file routes whose path arguments travel in the query; every other one takes a JSON body. */
export type QueryRoute = '' | 'stat' | 'content' | 'download' | 'upload';
export type BodyRoute = 'directory' | 'rename' | 'copy' | 'delete' | 'compress' | 'extract' | 'chmod';

export const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** One caller's view of one server's files, through the public API only. */
export class FilesClient {
  constructor(
    private readonly gatewayUrl: string,
    private readonly credential: string,
    readonly serverId: string,
  ) {}

  /** Any file route: `query` goes in the query string (percent-encoded as a browser does), `init` as it is. */
  async send<T = unknown>(
    method: string,
    route: QueryRoute | BodyRoute,
    { query, json, init = {} }: { query?: Record<string, string>; json?: unknown; init?: RequestInit } = {},
  ): Promise<FileAnswer<T>> {
    const search = query ? `?${new URLSearchParams(query).toString()}` : '';
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.credential}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.headers as Record<string, string> | undefined),
    };
    const res = await fetch(
      `${this.gatewayUrl}/api/v1/servers/${this.serverId}/files${route ? `/${route}` : ''}${search}`,
      {
        ...init,
        method,
        headers,
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      },
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
    return {
      status: res.status,
      body: (isJson ? JSON.parse(bytes.toString('utf8')) : bytes) as T,
      bytes,
      headers: res.headers,
    };
  }

  list(path: string, page: { limit?: number; cursor?: string } = {}) {
    const query: Record<string, string> = { path };
    if (page.limit !== undefined) query['limit'] = String(page.limit);
    if (page.cursor !== undefined) query['cursor'] = page.cursor;
    return this.send('GET', '', { query });
  }

  stat(path: string) {
    return this.send('GET', 'stat', { query: { path } });
  }

  read(path: string) {
    return this.send('GET', 'content', { query: { path } });
  }

  download(path: string) {
    return this.send('GET', 'download', { query: { path } });
  }

  write(path: string, bytes: Buffer) {
    return this.send('PUT', 'content', {
      query: { path },
      init: { body: new Uint8Array(bytes), headers: { 'content-type': 'application/octet-stream' } },
    });
  }

  /** A browser's multipart upload of `parts` (a name may hold sub-folders) into `folder`. */
  upload(folder: string, parts: Array<{ name: string; bytes: Buffer }>) {
    const form = new FormData();
    for (const { name, bytes } of parts) form.append('file', new Blob([new Uint8Array(bytes)]), name);
    return this.send('POST', 'upload', { query: { path: folder }, init: { body: form } });
  }

  post(route: BodyRoute, json: unknown) {
    return this.send('POST', route, { json });
  }

  /** The bytes of a file that must be readable: fails loudly with the answer otherwise. */
  async bytesOf(path: string): Promise<Buffer> {
    const answer = await this.download(path);
    if (answer.status !== 200) throw new Error(`download ${path}: ${answer.status} ${answer.bytes.toString()}`);
    return answer.bytes;
  }
}

/** Runs a shell line in a pod, as an operator would with kubectl exec: test set-up and checks only. */
export class PodShell {
  private readonly kubeConfig = new KubeConfig();

  constructor(
    kubeconfigPath: string,
    private readonly namespace: string,
  ) {
    this.kubeConfig.loadFromFile(kubeconfigPath);
  }

  async run(pod: string, container: string, script: string): Promise<string> {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const status = await new Promise<{ status?: string; message?: string }>((resolve, reject) => {
      new Exec(this.kubeConfig)
        .exec(this.namespace, pod, container, ['sh', '-c', script], out, process.stderr, null, false, resolve)
        .catch(reject);
    });
    if (status.status !== 'Success') throw new Error(`${script}: ${status.message ?? ''}`);
    return Buffer.concat(chunks).toString('utf8');
  }
}

/**
 * The whole stack for a file spec, and a shell into its pods. A stopped server's helper pod is kept for
 * the whole spec, with what a test left in its /tmp (a canary).
 */
export async function startFilesStack(env: Record<string, string> = {}): Promise<{ stack: Stack; shell: PodShell }> {
  const stack = await startStack({ env: { FILE_HOST_IDLE_MS: '600000', ...env } });
  return { stack, shell: new PodShell(stack.kubeconfigPath, stack.gameNamespace) };
}

/** A server of a fresh owner, and the pod its files are served from: the game pod, or the helper when stopped. */
export interface FilesTarget {
  owner: Awaited<ReturnType<typeof GatewayClient.signUp>>;
  server: Server;
  files: FilesClient;
  pod: string;
  container: string;
}

export async function filesTarget(stack: Stack, state: 'running' | 'stopped'): Promise<FilesTarget> {
  const owner = await GatewayClient.signUp(stack.gatewayUrl);
  const created = await owner.client.request<Server>('POST', 'servers', {
    name: 'files',
    type: 'paper',
    version: 'LATEST',
    plan: 'small',
  });
  if (created.status !== 202) throw new Error(`creating a server answered ${created.status}`);
  const server = await owner.client.waitForStatus(created.body.id, 'running', 60_000);
  const files = new FilesClient(stack.gatewayUrl, owner.session.accessToken, server.id);
  if (state === 'running') return { owner, server, files, pod: `mc-${server.id}-0`, container: 'minecraft' };
  const stop = await owner.client.request('POST', `servers/${server.id}/power`, { action: 'stop' });
  if (stop.status !== 202) throw new Error(`stopping the server answered ${stop.status}`);
  const stopped = await owner.client.waitForStatus(server.id, 'stopped', 60_000);
  // The first file operation of a stopped server starts its helper pod.
  const first = await files.list('/');
  if (first.status !== 200) throw new Error(`listing a stopped server answered ${first.status}`);
  return { owner, server: stopped, files, pod: `mc-${server.id}-files`, container: 'files' };
}

/** A member of a hostile archive: text, a symbolic link, or that many zero bytes. */
export interface TarMember {
  name: string;
  data?: string;
  link?: string;
  zeros?: number;
}

/**
 * A tar made by GNU tar on this machine from `entries`, its member names then rewritten by `transform`
 * (a sed expression) and kept as they come (`-P`, so `../` and `/` stay): what an attacker uploads.
 */
export function hostileTar(entries: TarMember[], transform?: string, gzip = false): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'files-e2e-tar-'));
  try {
    for (const { name, data = '', link, zeros } of entries) {
      const at = join(dir, name);
      if (link !== undefined) symlinkSync(link, at);
      else if (zeros !== undefined) {
        writeFileSync(at, '');
        truncateSync(at, zeros);
      } else writeFileSync(at, data);
    }
    const flags = ['-c', ...(gzip ? ['-z'] : []), '-P', '-f', '-', '-C', dir];
    const names = entries.map((entry) => entry.name);
    return execFileSync('tar', [...flags, ...(transform ? ['--transform', transform] : []), ...names], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
