// A long run of a client-node informer against the simulator: pods are created, patched and
// deleted without pause while watches are cut (cleanly and by reset) and bursts of writes outrun
// the watch window (so that resuming gets 410 Expired and the informer relists). At the end the
// informer's cache must equal the store, and no object may have been seen going back in time.
//
//   npx tsc -b bench && npx node bench/dist/informer-soak.js --minutes 60
import {
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { startKubeSim } from '@blockplane/kube-sim';
import { inParallel, parsePositive } from './measure.js';

const NAMESPACE = 'soak';
const PODS_REF = { group: '', version: 'v1', plural: 'pods' };
const POOL = 200; // pod names the churn picks from
const WATCH_WINDOW = 5_000; // must outlast a relist at the churn rate (pods, their status writes and Events)
const BATCH = 20; // API calls per churn tick
const TICK_MS = 100;
const CUT_EVERY_MS = 5_000;
// Most changes are patches: every pod start adds Events that stay for the run (upstream keeps them an hour).
const DELETE_EVERY = 10;
const CONVERGE_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  const minutes = parsePositive(process.argv, '--minutes', 60);
  const sim = await startKubeSim({ startDelayMs: [0, 200], watchWindow: WATCH_WINDOW, watchTimeoutSeconds: 30 });
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });

  const stats = { changes: 0, failures: 0, lists: 0, errors: 0, connects: 0, rounds: 0, cut: 0, bursts: 0 };
  const informer = makeInformer(kc, `/api/v1/namespaces/${NAMESPACE}/pods`, () => {
    stats.lists++;
    return core.listNamespacedPod({ namespace: NAMESPACE });
  });
  const lastSeen = new Map<string, number>(); // by uid: names are reused
  const backwards: string[] = [];
  const see = (pod: V1Pod) => {
    const uid = pod.metadata?.uid ?? '';
    const rv = Number(pod.metadata?.resourceVersion);
    if (rv < (lastSeen.get(uid) ?? 0)) backwards.push(`${pod.metadata?.name} ${rv} after ${lastSeen.get(uid)}`);
    lastSeen.set(uid, rv);
  };
  for (const event of ['add', 'update', 'delete'] as const) informer.on(event, see);
  informer.on('connect', () => stats.connects++);
  // client-node stops an informer on a reset connection: restart it, as an application must.
  let running = true;
  informer.on('error', () => {
    stats.errors++;
    if (running) setTimeout(() => running && void informer.start(), 50);
  });
  await informer.start();

  const change = async (i: number): Promise<void> => {
    const name = `soak-${Math.floor(Math.random() * POOL)}`;
    const exists = sim.store.get(PODS_REF, NAMESPACE, name) !== undefined;
    try {
      if (!exists) {
        const body = { metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
        await core.createNamespacedPod({ namespace: NAMESPACE, body });
      } else if (i % DELETE_EVERY !== 0) {
        await core.patchNamespacedPod(
          { name, namespace: NAMESPACE, body: { metadata: { labels: { gen: String(i) } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      } else {
        await core.deleteNamespacedPod({ name, namespace: NAMESPACE, gracePeriodSeconds: i % 2 ? 0 : 1 });
      }
      stats.changes++;
    } catch {
      stats.failures++; // a 404 / 409 when another call got to the same name first
    }
  };

  const started = Date.now();
  const end = started + minutes * 60_000;
  let nextCut = started + CUT_EVERY_MS;
  let nextReport = started + 60_000;
  for (let tick = 0; Date.now() < end; tick++) {
    const calls = Array.from({ length: BATCH }, (_, k) => tick * BATCH + k);
    await Promise.all([inParallel(calls, BATCH, change), new Promise((r) => setTimeout(r, TICK_MS))]);
    if (Date.now() >= nextCut) {
      nextCut += CUT_EVERY_MS;
      const round = stats.rounds++;

      stats.cut += sim.api.faults.cutWatches({ abrupt: round % 3 === 2 });
      if (round % 2 === 0) {
        // Outrun the window before the informer is back: its resume gets 410 Expired and it relists.
        stats.bursts++;
        const pods = sim.store.list(PODS_REF, { namespace: NAMESPACE }).items;
        for (let k = 0; pods.length && k <= WATCH_WINDOW; k++)
          sim.store.mutate(PODS_REF, NAMESPACE, pods[k % pods.length]?.metadata.name ?? '', (o) => {
            (o.metadata.annotations ??= {})['burst'] = `${stats.bursts}-${k}`;
          });
      }
    }
    if (Date.now() >= nextReport) {
      nextReport += 60_000;
      const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
      console.log(`${Math.round((Date.now() - started) / 60_000)} min: ${JSON.stringify(stats)}, RSS ${rss} MiB`);
    }
  }

  const expected = () =>
    new Map(
      sim.store.list(PODS_REF, { namespace: NAMESPACE }).items.map((p) => [p.metadata.uid, p.metadata.resourceVersion]),
    );
  const converged = () => {
    const want = expected();
    const cached = informer.list(NAMESPACE);
    return (
      cached.length === want.size && cached.every((p) => want.get(p.metadata?.uid) === p.metadata?.resourceVersion)
    );
  };
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  while (!converged() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const ok = converged() && backwards.length === 0;
  running = false;
  await informer.stop();
  await sim.stop();

  console.log(`after ${minutes} min: ${JSON.stringify(stats)}`);
  console.log(`informer cache ${informer.list(NAMESPACE).length} pods, store ${expected().size} pods`);
  if (backwards.length) console.log(`seen going back: ${backwards.slice(0, 5).join('; ')}`);
  console.log(ok ? 'informer cache equals the store: ok' : 'informer cache differs from the store: FAILED');
  process.exitCode = ok ? 0 : 1;
}

await main();
