// One probe attempt against a pod, as the kubelet's prober does it: TCP connect, HTTP GET
// (2xx/3xx succeed) or a command in the container's sandbox (exit code 0 succeeds).
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Container } from './container-runtime.js';
import type { ContainerSpec, Probe } from './pod-types.js';
import { spawnInSandbox } from './sandbox.js';

export interface ProbeTarget {
  podIP: string;
  container: ContainerSpec;
  dataDir: string;
  instance: Container;
}

export interface ProbeResult {
  ok: boolean;
  message: string;
}

export function resolvePort(container: ContainerSpec, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((p) => p.name === port)?.containerPort;
  return named ?? Number(port);
}

export function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  const port = (p: number | string) => target.instance.hostPort(resolvePort(target.container, p));
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket.host ?? target.podIP, port(probe.tcpSocket.port), timeoutMs);
  if (probe.httpGet) {
    const host = probe.httpGet.host ?? target.podIP;
    return httpProbe(host, port(probe.httpGet.port), probe.httpGet.path ?? '/', timeoutMs);
  }
  if (probe.exec) return execProbe(probe.exec.command, target, timeoutMs);
  return Promise.resolve({ ok: true, message: '' });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const finish = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => finish({ ok: true, message: '' }));
    socket.once('timeout', () => finish({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        message: `dial tcp ${host}:${port}: connect: ${error.code === 'ECONNREFUSED' ? 'connection refused' : error.message}`,
      }),
    );
  });
}

function httpProbe(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  const url = `http://${host}:${port}${path}`;
  return new Promise((resolve) => {
    const req = request(url, { timeout: timeoutMs, headers: { 'User-Agent': 'kube-probe/1.32' } }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(
        code >= 200 && code < 400
          ? { ok: true, message: '' }
          : { ok: false, message: `HTTP probe failed with statuscode: ${code}` },
      );
    });
    req.once('timeout', () =>
      req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')),
    );
    req.once('error', (error) => resolve({ ok: false, message: `Get "${url}": ${error.message}` }));
    req.end();
  });
}

function execProbe(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawnInSandbox({ command, dataDir: target.dataDir, env: target.instance.execEnv });
    } catch (error) {
      resolve({ ok: false, message: (error as Error).message });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdin.end();
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(
        code === 0
          ? { ok: true, message: '' }
          : { ok: false, message: output.trim() || `command ${JSON.stringify(command)} exited with ${code}` },
      );
    });
  });
}
