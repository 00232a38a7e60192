import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './private-nats.js';
import { testEnv, uniqueNamespace } from './test-env.js';
import { waitFor } from './wait-for.js';

/** The repository root, from src/ (jest) and dist/ (built) alike. */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a built service as its own process (`node apps/<name>/dist/main.js`) on a free port. */
export async function spawnService(
  name: string,
  env: Record<string, string> = {},
  { waitReady = true, timeoutMs = 10_000 } = {},
): Promise<ServiceProcess> {
  const port = String(await freePort());
  const child = spawn(process.execPath, [`apps/${name}/dist/main.js`], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: testEnv.databaseUrl,
      NATS_URL: testEnv.natsUrl,
      NATS_NAMESPACE: uniqueNamespace(),
      PORT: port,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: ServiceProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (waitReady) {
    await waitFor(
      `${name} to be ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${err}`);
        return (await fetch(`${service.url}/readyz`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs },
    ).catch(async (error: unknown) => {
      await service.stop('SIGKILL');
      throw error;
    });
  }
  return service;
}
