// The simulator under load, judged through @kubernetes/client-node: create --count N
// StatefulSets of itzg/minecraft-server (replicas 1, no boot delay), wait for N Ready pods,
// then measure pod list latency, watch event latency at 100 changes/s and memory per server.
import { AppsV1Api, CoreV1Api, KubeConfig, Watch, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import { startKubeSim } from '@blockplane/kube-sim';
import { inParallel, parseCount, percentile, report, settledRss } from './measure.js';

const NAMESPACE = 'bench';
const CREATE_CONCURRENCY = 64;
const LIST_SAMPLES = 20;
const WATCH_RATE_PER_S = 100;
const WATCH_CHANGES = 500;
const WATCH_OBJECTS = 10;

function statefulSet(name: string): V1StatefulSet {
  const labels = { app: name };
  return {
    metadata: { name, namespace: NAMESPACE },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'minecraft',
              image: 'itzg/minecraft-server:latest',
              env: [
                { name: 'EULA', value: 'TRUE' },
                { name: 'RCON_PASSWORD', value: 'bench' },
              ],
            },
          ],
        },
      },
    },
  };
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Resolves when `count` distinct pods of the namespace have been seen Ready. */
async function waitForReadyPods(kc: KubeConfig, count: number): Promise<{ stop(): void; done: Promise<void> }> {
  const ready = new Set<string>();
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const request = await new Watch(kc).watch(
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    {},
    (type: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? '';
      if (type !== 'DELETED' && isReady(pod)) ready.add(name);
      else ready.delete(name);
      if (ready.size >= count) resolve();
    },
    () => undefined,
  );
  return { stop: () => request.abort(), done };
}

async function listLatencies(core: CoreV1Api, expected: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < LIST_SAMPLES; i++) {
    const t0 = performance.now();
    const list = await core.listNamespacedPod({ namespace: NAMESPACE });
    samples.push(performance.now() - t0);
    if (list.items.length !== expected) throw new Error(`listed ${list.items.length} pods, expected ${expected}`);
  }
  return samples;
}

/** Changes ConfigMaps at a steady rate and measures from each write's start to its watch event. */
async function watchLatencies(kc: KubeConfig, core: CoreV1Api): Promise<number[]> {
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  const request = await new Watch(kc).watch(
    `/api/v1/namespaces/${NAMESPACE}/configmaps`,
    {},
    (_type: string, cm: { metadata?: { name?: string }; data?: Record<string, string> }) => {
      const key = `${cm.metadata?.name}/${cm.data?.seq}`;
      const t0 = sentAt.get(key);
      if (t0 !== undefined) samples.push(performance.now() - t0);
      sentAt.delete(key);
    },
    () => undefined,
  );
  const started = performance.now();
  const writes: Array<Promise<unknown>> = [];
  for (let seq = 0; seq < WATCH_CHANGES; seq++) {
    const due = started + (seq * 1000) / WATCH_RATE_PER_S;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const name = `watch-${seq % WATCH_OBJECTS}`;
    const body = { metadata: { name, namespace: NAMESPACE }, data: { seq: String(seq) } };
    sentAt.set(`${name}/${seq}`, performance.now());
    writes.push(
      seq < WATCH_OBJECTS
        ? core.createNamespacedConfigMap({ namespace: NAMESPACE, body })
        : core.replaceNamespacedConfigMap({ name, namespace: NAMESPACE, body }),
    );
  }
  await Promise.all(writes);
  const deadline = performance.now() + 5000;
  while (sentAt.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  request.abort();
  if (sentAt.size > 0) throw new Error(`${sentAt.size} watch events never arrived`);
  return samples;
}

async function main(): Promise<void> {
  const count = parseCount(process.argv, 10_000);
  const rssBefore = settledRss();
  const sim = await startKubeSim({
    startDelayMs: [0, 0],
    capacity: { cpu: '100000', memory: '100000Gi', pods: count + 100 },
  });
  try {
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });

    const readyWatch = await waitForReadyPods(kc, count);
    const t0 = performance.now();
    const names = Array.from({ length: count }, (_, i) => `mc-${i}`);
    await inParallel(names, CREATE_CONCURRENCY, async (name) => {
      await apps.createNamespacedStatefulSet({ namespace: NAMESPACE, body: statefulSet(name) });
    });
    const created = performance.now() - t0;
    await readyWatch.done;
    const allReady = performance.now() - t0;
    readyWatch.stop();
    const rssPerServer = (settledRss() - rssBefore) / count;

    const lists = await listLatencies(core, count);
    const watches = await watchLatencies(kc, core);
    const ok = report([
      { name: `create ${count} StatefulSets`, value: created / 1000, unit: 's' },
      { name: `${count} pods Ready`, value: allReady / 1000, unit: 's', target: { max: 60 } },
      { name: `list ${count} pods p50`, value: percentile(lists, 50), unit: 'ms' },
      { name: `list ${count} pods p99`, value: percentile(lists, 99), unit: 'ms', target: { max: 150 } },
      {
        name: `watch latency p99 at ${WATCH_RATE_PER_S}/s`,
        value: percentile(watches, 99),
        unit: 'ms',
        target: { max: 20 },
      },
      { name: 'RSS per emulated server (whole process)', value: rssPerServer / 1024, unit: 'KB', target: { max: 100 } },
    ]);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await sim.stop();
  }
}

await main();
