import { Inject, Injectable } from '@nestjs/common';
import type { Readable, Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { DomainError, type FileHost } from '@blockplane/contracts';
import { loadKubeConfig } from '@blockplane/kube';
import { FILES_CONFIG, type FilesConfig } from '../files.config.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;
/** Bytes queued on the WebSocket before stdin waits for them to leave. */
const SEND_HIGH_WATER = 1024 * 1024;
/** stderr is for messages: what is kept of it. */
const STDERR_LIMIT = 16 * 1024;

export interface ExecOptions {
  /** Streamed to the process with back-pressure; its end closes the process's stdin. */
  stdin?: Readable;
  /** Receives stdout with back-pressure (the socket is paused while it is full); not ended here. */
  stdout?: Writable;
  /** Cuts the process when set. */
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  stderr: string;
}

interface Status {
  status?: string;
  reason?: string;
  message?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

/**
 * Exec into a pod over WebSocket (`v5.channel.k8s.io`, which can close stdin alone) with flow control
 * both ways — what client-node's `Exec` lacks: stdout is written to its stream and the socket paused
 * while that stream is full; stdin waits while the socket's send buffer is full. Memory stays bounded
 * whatever the size of the transfer.
 */
@Injectable()
export class PodExec {
  private readonly kubeConfig: KubeConfig;

  constructor(@Inject(FILES_CONFIG) private readonly config: FilesConfig) {
    this.kubeConfig = loadKubeConfig(config.kubeconfig);
  }

  async run(host: FileHost, command: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const socket = await this.connect(host, command, options);
    return new Promise<ExecResult>((resolve, reject) => {
      let stderr = '';
      let status: Status | undefined;
      let lastActivity = Date.now();
      const idle = setInterval(
        () => {
          if (Date.now() - lastActivity > this.config.idleTimeoutMs) {
            finish(new DomainError('UPSTREAM_TIMEOUT', 'the file operation stalled'));
          }
        },
        Math.min(this.config.idleTimeoutMs / 4, 5_000),
      );
      const abort = () => finish(new DomainError('UPSTREAM_UNAVAILABLE', 'the file operation was cancelled'));
      const finish = (error?: Error) => {
        clearInterval(idle);
        options.signal?.removeEventListener('abort', abort);
        if (error) {
          socket.terminate();
          return reject(error);
        }
        if (!status) return reject(new DomainError('UPSTREAM_UNAVAILABLE', 'the pod closed the exec stream early'));
        const exitCode = exitCodeOf(status);
        if (exitCode === undefined) {
          return reject(new DomainError('UPSTREAM_UNAVAILABLE', `exec failed: ${status.message ?? 'unknown error'}`));
        }
        resolve({ exitCode, stderr });
      };
      if (options.signal?.aborted) return abort();
      options.signal?.addEventListener('abort', abort, { once: true });

      socket.on('message', (data: Buffer) => {
        lastActivity = Date.now();
        const payload = data.subarray(1);
        switch (data[0]) {
          case STDOUT:
            if (options.stdout && !options.stdout.write(payload)) {
              socket.pause();
              options.stdout.once('drain', () => socket.resume());
            }
            return;
          case STDERR:
            if (stderr.length < STDERR_LIMIT) stderr += payload.toString('utf8').slice(0, STDERR_LIMIT - stderr.length);
            return;
          case STATUS:
            // The exec's last frame: its answer, whatever becomes of the close handshake after it.
            status = parseStatus(payload);
            finish();
            socket.close();
            return;
          default:
            return; // a channel not asked for (v5's close of a stream): nothing to do
        }
      });
      socket.on('close', () => finish());
      socket.on('error', (error) => finish(new DomainError('UPSTREAM_UNAVAILABLE', `exec failed: ${error.message}`)));
      options.stdout?.on('error', (error) => finish(error));
      if (options.stdin) {
        pumpStdin(socket, options.stdin, () => (lastActivity = Date.now())).catch((error: unknown) =>
          finish(error instanceof Error ? error : new Error(String(error))),
        );
      }
      socket.resume();
    });
  }

  private async connect(host: FileHost, command: readonly string[], options: ExecOptions): Promise<WebSocket> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new DomainError('INTERNAL', 'no Kubernetes cluster is configured');
    const query = new URLSearchParams({ container: host.container, stdout: 'true', stderr: 'true' });
    if (options.stdin) query.set('stdin', 'true');
    for (const part of command) query.append('command', part);
    const base = cluster.server.replace(/^http/, 'ws').replace(/\/+$/, '');
    const url = `${base}/api/v1/namespaces/${encodeURIComponent(host.namespace)}/pods/${encodeURIComponent(host.pod)}/exec?${query}`;
    const tls: Record<string, unknown> = {};
    await this.kubeConfig.applyToHTTPSOptions(tls);
    // A zero mask: masking guards browsers' traffic through caching proxies, and costs a pass over every byte.
    const socket = new WebSocket(url, ['v5.channel.k8s.io'], {
      ...tls,
      perMessageDeflate: false,
      generateMask: (mask: Buffer) => mask.fill(0),
    });
    return new Promise<WebSocket>((resolve, reject) => {
      socket.once('open', () => {
        socket.removeAllListeners('error');
        // Frames that came in with the upgrade answer (a fast process, a busy machine) would be emitted before
        // `run` listens: held until it does.
        socket.pause();
        resolve(socket);
      });
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => reject(upgradeRefused(response.statusCode ?? 0, body)));
      });
      socket.once('error', (error) => reject(new DomainError('UPSTREAM_UNAVAILABLE', `exec failed: ${error.message}`)));
    });
  }
}

/** Each chunk is framed on channel 0; past the high-water mark, the next waits until the socket took it. */
async function pumpStdin(socket: WebSocket, stdin: Readable, touch: () => void): Promise<void> {
  for await (const chunk of stdin) {
    if (socket.readyState !== WebSocket.OPEN) return;
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    const frame = Buffer.allocUnsafe(data.length + 1);
    frame[0] = STDIN;
    data.copy(frame, 1);
    touch();
    const sent = new Promise<void>((resolve, reject) =>
      socket.send(frame, (error) => (error ? reject(error) : resolve())),
    );
    if (socket.bufferedAmount > SEND_HIGH_WATER) await sent;
    else sent.catch(() => undefined);
  }
  if (socket.readyState === WebSocket.OPEN) socket.send(Buffer.from([CLOSE, STDIN]));
}

function parseStatus(payload: Buffer): Status {
  try {
    return JSON.parse(payload.toString('utf8')) as Status;
  } catch {
    return { status: 'Failure', message: 'unreadable exec status' };
  }
}

/** 0 on Success; the process's code for NonZeroExitCode; undefined when exec itself failed. */
function exitCodeOf(status: Status): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason !== 'NonZeroExitCode') return undefined;
  const code = Number(status.details?.causes?.find((cause) => cause.reason === 'ExitCode')?.message);
  return Number.isInteger(code) ? code : undefined;
}

function upgradeRefused(statusCode: number, body: string): DomainError {
  let message = body;
  try {
    message = (JSON.parse(body) as Status).message ?? body;
  } catch {
    // not a Status: keep the text
  }
  // The pod went away or its container is not running (it is starting, stopping or being replaced).
  const code = statusCode === 404 || statusCode === 400 ? 'CONFLICT' : 'UPSTREAM_UNAVAILABLE';
  return new DomainError(code, `the server's files are not reachable right now: ${message}`);
}
