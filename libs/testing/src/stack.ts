import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeRequestCounter } from './kube-request-counter.js';
import { freePort } from './private-nats.js';
import { repositoryRoot, type ServiceProcess, spawnService } from './service-process.js';
import { StackDatabase } from './stack-database.js';
import { uniqueNamespace } from './test-env.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

export const stackServiceNames = ['auth', 'servers', 'provisioner', 'console', 'files', 'gateway'] as const;
export type StackServiceName = (typeof stackServiceNames)[number];

export interface StackOptions {
  /** Extra environment for every service, over the stack's defaults (e.g. a longer RECONCILE_INTERVAL_MS). */
  env?: Record<string, string>;
  /** The simulator's container start delay, `min,max` in ms. */
  startDelay?: string;
  /** More simulator flags, e.g. `['--cpu', '1000']` for a bigger node. */
  simArgs?: string[];
}

export interface Stack {
  gatewayUrl: string;
  /** Talks to the simulator directly: the test's own Kubernetes calls are not counted. */
  kubeconfigPath: string;
  /** The simulator's API, for its `/_sim/` control endpoints. */
  simUrl: string;
  gameNamespace: string;
  natsNamespace: string;
  database: StackDatabase;
  /** Kubernetes API requests the services have made so far. */
  kubeRequests(): number;
  service(name: StackServiceName): ServiceProcess;
  stopService(name: StackServiceName, signal?: NodeJS.Signals): Promise<number | null>;
  startService(name: StackServiceName): Promise<ServiceProcess>;
  /** The auth service's bootstrap command, as an operator runs it. */
  createAdmin(email: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole product as processes: the Kubernetes simulator, all six services in one fresh NATS
 * namespace and a database of their own, the services reaching the simulator through a counting proxy.
 */
export async function startStack({ env = {}, startDelay = '0,0', simArgs = [] }: StackOptions = {}): Promise<Stack> {
  const id = uniqueNamespace('e2e');
  const dir = mkdtempSync(join(tmpdir(), 'blockplane-stack-'));
  const [sim, database] = await Promise.all([
    startSim(dir, [...simArgs, '--start-delay', startDelay]),
    StackDatabase.create(`blockplane_${id}`),
  ]);
  const counter = await KubeRequestCounter.start(sim.url);
  const panelKubeconfig = join(dir, 'kubeconfig.panel');
  writeFileSync(panelKubeconfig, (await readFile(sim.kubeconfigPath, 'utf8')).replaceAll(sim.url, counter.url));

  const gameNamespace = id.replaceAll('_', '-');
  const serviceEnv = {
    NATS_NAMESPACE: id,
    DATABASE_URL: database.url,
    KUBECONFIG: panelKubeconfig,
    GAME_NAMESPACE: gameNamespace,
    RECONCILE_INTERVAL_MS: '1000',
    ORPHAN_GRACE_MS: '2000',
    // The console reaches the game servers' RCON where this simulator moved it.
    RCON_PORT: String(sim.rconPort),
    // A Service port of its own: simulators running side by side hand out the same ClusterIPs and
    // load-balancer IPs, so on the default port one stack's players could reach another's listener.
    GAME_SERVICE_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    ...env,
  };
  const services = new Map<StackServiceName, ServiceProcess>();
  const startService = async (name: StackServiceName) => {
    const service = await spawnService(name, serviceEnv, { timeoutMs: 60_000 });
    services.set(name, service);
    return service;
  };
  const stopAll = async () => {
    await Promise.all([...services.values()].map((service) => service.stop()));
    await counter.stop();
    await stopChild(sim.child);
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  const failed = (await Promise.allSettled(stackServiceNames.map(startService))).find((r) => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  const service = (name: StackServiceName) => {
    const found = services.get(name);
    if (!found) throw new Error(`${name} is not running`);
    return found;
  };
  return {
    gatewayUrl: service('gateway').url,
    kubeconfigPath: sim.kubeconfigPath,
    simUrl: sim.url,
    gameNamespace,
    natsNamespace: id,
    database,
    kubeRequests: () => counter.count,
    service,
    stopService: (name, signal) => service(name).stop(signal),
    startService,
    async createAdmin(email, password) {
      await run(process.execPath, ['apps/auth/dist/create-admin.js', '--email', email], {
        cwd: repositoryRoot,
        env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: database.url, ADMIN_PASSWORD: password },
      });
    },
    stop: stopAll,
  };
}

interface SimProcess {
  child: ChildProcess;
  url: string;
  kubeconfigPath: string;
  rconPort: number;
}

async function startSim(dir: string, simArgs: string[]): Promise<SimProcess> {
  const kubeconfigPath = join(dir, 'kubeconfig');
  // Ports of the simulator's own, so game servers of stacks running side by side do not collide.
  const [port, gamePort, rconPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const args = ['--port', port, '--kubeconfig', kubeconfigPath, '--state-dir', join(dir, 'sim')];
  args.push('--game-port', gamePort, '--rcon-port', rconPort, ...simArgs);
  const child = spawn(process.execPath, ['tools/kube-sim/dist/cli.js', ...args.map(String)], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const url = await waitFor('the Kubernetes simulator', () => {
      if (child.exitCode !== null) throw new Error(`kube-sim exited with ${child.exitCode}: ${output}`);
      return /^kubeconfig: /m.test(output) && /kube-sim listening on (\S+)/.exec(output)?.[1];
    });
    return { child, url, kubeconfigPath, rconPort };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
