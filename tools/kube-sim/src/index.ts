// kube-sim: an in-memory Kubernetes API server with a simulated cluster behind it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from './api/api-server.js';
import { kubeconfigFor } from './api/kubeconfig.js';
import { Store } from './api/store.js';
import { loadSnapshot, saveSnapshot } from './api/store-snapshot.js';
import { startCluster } from './cluster/index.js';
import { controlApi, createSimControl, type SimControl } from './control/control-api.js';
import { FaultInjector } from './control/fault-injector.js';

export { ApiError } from './api/api-error.js';
export type { ApiServer } from './api/api-server.js';
export { kubeconfigFor } from './api/kubeconfig.js';
export { Store } from './api/store.js';
export type { KubeObject, ResourceRef, StoreEvent } from './api/types.js';
export type { SimControl } from './control/control-api.js';
export type { FaultSettings } from './control/fault-injector.js';

export interface KubeSimOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Volumes and the kubeconfig live here; a temporary directory (removed on stop) by default. */
  stateDir?: string;
  capacity?: { cpu: string; memory: string; pods: number };
  /** Simulated container start time, jittered between min and max. */
  startDelayMs?: [number, number];
  /** Events a watch can resume across before 410 Expired. */
  watchWindow?: number;
  bookmarkIntervalMs?: number;
  watchTimeoutSeconds?: number;
  /** Save the store here on stop and every snapshotIntervalMs, and load it at start. */
  snapshotFile?: string;
  snapshotIntervalMs?: number;
  /** Passed to the cluster: where Minecraft containers' game and RCON ports listen, back-off base, metrics interval. */
  gamePort?: number;
  rconPort?: number;
  backOffBaseMs?: number;
  metricsIntervalMs?: number;
}

export interface KubeSim {
  url: string;
  /** A kubeconfig (YAML) for kubectl and client-node. */
  kubeconfig: string;
  kubeconfigPath: string;
  store: Store;
  api: ApiServer;
  control: SimControl;
  stop(): Promise<void>;
}

export const DEFAULT_CAPACITY = { cpu: '64', memory: '256Gi', pods: 11_000 };

export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const ownsStateDir = !options.stateDir;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'kube-sim-')));
  await mkdir(stateDir, { recursive: true });
  const store = new Store();
  if (options.snapshotFile) await loadSnapshot(store, options.snapshotFile);
  const faults = new FaultInjector();
  const api = new ApiServer({
    store,
    faults,
    ...(options.watchWindow !== undefined ? { watchWindow: options.watchWindow } : {}),
    ...(options.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: options.bookmarkIntervalMs } : {}),
    ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
  });
  const cluster = startCluster({
    store,
    api,
    stateDir,
    capacity: options.capacity ?? DEFAULT_CAPACITY,
    startDelayMs: options.startDelayMs ?? [500, 2000],
    ...(options.gamePort !== undefined ? { gamePort: options.gamePort } : {}),
    ...(options.rconPort !== undefined ? { rconPort: options.rconPort } : {}),
    ...(options.backOffBaseMs !== undefined ? { backOffBaseMs: options.backOffBaseMs } : {}),
    ...(options.metricsIntervalMs !== undefined ? { metricsIntervalMs: options.metricsIntervalMs } : {}),
  });
  const control = createSimControl(faults, cluster.control);
  api.mount('_sim', controlApi(control));
  const url = await api.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const kubeconfig = kubeconfigFor(url);
  const kubeconfigPath = join(stateDir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfig);

  const snapshotFile = options.snapshotFile;
  const snapshots = snapshotFile
    ? setInterval(
        () =>
          void saveSnapshot(store, snapshotFile).catch((e: unknown) => console.error('kube-sim: snapshot failed:', e)),
        options.snapshotIntervalMs ?? 30_000,
      )
    : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(snapshots);
      if (snapshotFile) await saveSnapshot(store, snapshotFile);
      await api.close();
      await cluster.stop();
      if (ownsStateDir) await rm(stateDir, { recursive: true, force: true });
    })());
  return { url, kubeconfig, kubeconfigPath, store, api, control, stop };
}
