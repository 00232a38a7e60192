// PodExec against a scripted exec endpoint on loopback: what a loaded machine does to the order and the
// grouping of frames, made to happen every time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FileHost } from '@blockplane/contracts';
import type { FilesConfig } from '../files.config.js';
import { PodExec } from './pod-exec.js';

const host: FileHost = { namespace: 'ns', pod: 'p', container: 'c', kind: 'game', owner: '1000:1000', leaseMs: 60_000 };
const success = JSON.stringify({ metadata: {}, status: 'Success' });
const frame = (channel: number, data: string) => Buffer.concat([Buffer.from([channel]), Buffer.from(data)]);

let server: WebSocketServer;
let dir: string;
let exec: PodExec;
/** What the endpoint does with each exec connection. */
let script: (socket: WebSocket) => void = () => undefined;

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'v5.channel.k8s.io' });
  server.on('connection', (socket) => script(socket));
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'pod-exec-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  exec = new PodExec({ kubeconfig, idleTimeoutMs: 60_000 } as FilesConfig);
});

afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('PodExec', () => {
  it('keeps the frames that arrive together with the upgrade answer', async () => {
    // A fast process on a busy machine: its output, status and close are written right behind the 101, and the
    // client reads them all in one go with the answer's headers.
    script = (socket) => {
      socket.send(frame(1, 'the entry'));
      socket.send(frame(3, success));
      socket.close(1000);
    };
    const out = collector();
    await expect(exec.run(host, ['stat'], { stdout: out.stream })).resolves.toEqual({ exitCode: 0, stderr: '' });
    expect(out.text()).toBe('the entry');
  });

  it('answers at the status, without waiting for the close handshake', async () => {
    // An endpoint slow to close (the simulator once left its socket paused): the exit code is known already.
    script = (socket) => {
      socket.on('message', () => undefined);
      socket.pause();
      socket.send(
        frame(
          3,
          JSON.stringify({
            status: 'Failure',
            reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: '72' }] },
          }),
        ),
      );
    };
    await expect(exec.run(host, ['extract'])).resolves.toEqual({ exitCode: 72, stderr: '' });
  }, 5_000);
});
