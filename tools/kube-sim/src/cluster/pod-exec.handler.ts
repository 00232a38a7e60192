// pods/{name}/exec over WebSocket (v5/v4.channel.k8s.io): the command runs as a real
// process in the pod's bubblewrap sandbox; channel 0 stdin, 1 stdout, 2 stderr,
// 3 status, 4 resize, 255 close (v5). Frames only go to channels the client asked for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../api/api-error.js';
import type { Store } from '../api/store.js';
import type { Kubelet } from './kubelet.js';
import { podNotFound, refuseUpgrade, sendStatus } from './http-status.js';
import { selectContainer } from './pod-log.handler.js';
import { PODS } from './refs.js';
import { spawnInSandbox } from './sandbox.js';
import type { StreamRegistry } from './stream-registry.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;
/** Output queued on the socket past which the process's output is paused until the client reads. */
const SEND_HIGH_WATER = 1024 * 1024;

interface Target {
  namespace: string;
  name: string;
  query: URLSearchParams;
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === 'true' || value === '1';
}

/** Upstream's exec Status for an exit code. */
export function exitStatus(command: string[], code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export class PodExecHandler {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // The client's first protocol we speak, in the client's order of preference.
    handleProtocols: (offered) => [...offered].find((p) => PROTOCOLS.includes(p)) ?? false,
  });

  constructor(
    private readonly store: Store,
    private readonly kubelet: Kubelet,
    private readonly streams: StreamRegistry,
  ) {}

  /** kubectl falls back to a SPDY POST when the WebSocket upgrade fails: answer, don't hang. */
  readonly plainRequest = (_req: IncomingMessage, res: ServerResponse): void => {
    sendStatus(res, ApiError.badRequest('Upgrade request required'));
  };

  readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, target: Target): void => {
    let prepared: ReturnType<PodExecHandler['prepare']>;
    try {
      prepared = this.prepare(target);
    } catch (error) {
      if (error instanceof ApiError) return refuseUpgrade(socket, error);
      throw error;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.run(ws, target, prepared));
  };

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private prepare(target: Target) {
    const worker = this.kubelet.worker(target.namespace, target.name);
    if (!worker || !this.store.get(PODS, target.namespace, target.name)) throw podNotFound(target.name);
    const command = target.query.getAll('command');
    if (!command.length) throw ApiError.badRequest('you must specify at least 1 command');
    const record = selectContainer(worker, target.query.get('container'));
    if (!('running' in record.state) || !record.instance) {
      throw ApiError.badRequest(`unable to upgrade connection: container not found ("${record.spec.name}")`);
    }
    return {
      command,
      env: record.instance.execEnv,
      dataDir: worker.dataDir(record),
      tmpDir: worker.scratchDir(record),
      hostname: target.name,
    };
  }

  private run(ws: WebSocket, target: Target, prepared: ReturnType<PodExecHandler['prepare']>): void {
    const query = target.query;
    const tty = flag(query, 'tty');
    const wants = { stdin: flag(query, 'stdin'), stdout: flag(query, 'stdout'), stderr: flag(query, 'stderr') && !tty };
    const send = (channel: number, data: Buffer | string, sent?: () => void) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]), sent);
    };
    // Flow control as a kubelet's: output waits while the client is not reading, input while the process is not.
    const forward = (stream: Readable, channel: number) =>
      stream.on('data', (d: Buffer) => {
        const full = ws.bufferedAmount + d.length > SEND_HIGH_WATER;
        send(channel, d, full ? () => stream.resume() : undefined);
        if (full) stream.pause();
      });
    const finish = (status: Record<string, unknown>) => {
      send(STATUS, JSON.stringify(status));
      ws.close(1000);
    };
    let child;
    try {
      child = spawnInSandbox({
        command: prepared.command,
        dataDir: prepared.dataDir,
        tmpDir: prepared.tmpDir,
        env: prepared.env,
        hostname: prepared.hostname,
      });
    } catch (error) {
      finish({ metadata: {}, status: 'Failure', message: (error as Error).message, reason: 'InternalError' });
      return;
    }
    const forget = this.streams.add('exec', target.namespace, target.name, () => {
      child.kill('SIGKILL');
      ws.terminate();
    });
    if (wants.stdout) forward(child.stdout, STDOUT);
    else child.stdout.resume();
    // With a TTY the runtime merges stderr into the terminal, i.e. stdout.
    if (wants.stderr) forward(child.stderr, STDERR);
    else if (tty && wants.stdout) forward(child.stderr, STDOUT);
    else child.stderr.resume();
    if (!wants.stdin) child.stdin.end();
    child.stdin.on('error', () => {}); // the process may exit before reading all of stdin
    // Input for a process that is gone (or closed its stdin) is dropped: waiting for a 'drain' that never
    // comes would leave the socket paused, and the close handshake unread until ws's 30 s close timeout.
    child.stdin.on('close', () => ws.resume());
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      if (channel === STDIN && wants.stdin) {
        if (!child.stdin.writable) return;
        if (!child.stdin.write(data.subarray(1))) {
          ws.pause();
          child.stdin.once('drain', () => ws.resume());
        }
      } else if (channel === CLOSE && data[1] === STDIN) child.stdin.end();
      // Channel 4 (resize) has no effect: the sandbox has no terminal.
    });
    ws.on('close', () => {
      forget();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => {
      forget();
      ws.resume(); // paused for a stdin that will never drain now: the close handshake must be read

      finish(exitStatus(prepared.command, code ?? (signal ? 128 + 9 : 1)));
    });
  }
}
