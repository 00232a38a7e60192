// The simulator under load, judged through @kubernetes/client-node: create --count N
// StatefulSets of itzg/minecraft-server (replicas 1, no boot delay), wait for N Ready pods,
// then measure pod list latency (whole and in pages of 500, as client-go pages), watch event latency
// at 100 changes/s and memory per server.
import { AppsV1Api, CoreV1Api, KubeConfig, Watch, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import { inParallel, parseCount, percentile, report } from './measure.js';
import { startSimProcess } from './sim-process.js';

const NAMESPACE = 'bench';
const CREATE_CONCURRENCY = 64;
const LIST_SAMPLES = 20;
/** client-go's pager and informers list in pages of 500. */
const PAGE_LIMIT = 500;
const WATCH_RATE_PER_S = 100;
const WATCH_CHANGES = 500;
const WATCH_OBJECTS = 10;
const PROGRESS_STEP = 1000;

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

/** Resolves when `count` distinct pods of the namespace have been seen Ready; prints progress on the way. */
async function waitForReadyPods(kc: KubeConfig, count: number): Promise<{ stop(): void; done: Promise<void> }> {
  const ready = new Set<string>();
  const started = performance.now();
  const step = Math.max(1, Math.min(PROGRESS_STEP, Math.ceil(count / 10)));
  let reported = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const request = await new Watch(kc).watch(
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    {},
    (type: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? '';
      if (type !== 'DELETED' && isReady(pod)) ready.add(name);
      else ready.delete(name);
      if (ready.size >= reported + step) {
        reported = ready.size - (ready.size % step);
        console.log(`  ${reported} Ready after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
      if (ready.size >= count) resolve();
    },
    () => undefined,
  );
  return { stop: () => request.abort(), done };
}

/** Times `list` LIST_SAMPLES times, checking it returns every pod. */
async function listLatencies(list: () => Promise<{ items: unknown[] }>, expected: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < LIST_SAMPLES; i++) {
    const t0 = performance.now();
    const { items } = await list();
    samples.push(performance.now() - t0);
    if (items.length !== expected) throw new Error(`listed ${items.length} pods, expected ${expected}`);
  }
  return samples;
}

/** Lists every pod in pages of PAGE_LIMIT, adding each page's latency to `pageLatencies`. */
async function listInPages(core: CoreV1Api, pageLatencies: number[]): Promise<{ items: V1Pod[] }> {
  const items: V1Pod[] = [];
  let token: string | undefined;
  do {
    const t0 = performance.now();
    const page = await core.listNamespacedPod({
      namespace: NAMESPACE,
      limit: PAGE_LIMIT,
      ...(token ? { _continue: token } : {}),
    });
    pageLatencies.push(performance.now() - t0);
    items.push(...page.items);
    token = page.metadata?._continue;
  } while (token);
  return { items };
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

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  const count = parseCount(process.argv, 10_000);
  const sim = await startSimProcess({
    startDelayMs: [0, 0],
    capacity: { cpu: '100000', memory: '100000Gi', pods: count + 100 },
  });
  try {
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    // The simulator's fixed overhead (modules, API server, cluster) is in this baseline.
    const rssBefore = await sim.rss();
    console.log(`kube-sim started, RSS ${mib(rssBefore)} MiB; creating ${count} StatefulSets`);

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
    const rssAfter = await sim.rss();
    console.log(`kube-sim RSS after GC ${mib(rssAfter)} MiB`);
    const rssPerServer = (rssAfter - rssBefore) / count;

    const lists = await listLatencies(() => core.listNamespacedPod({ namespace: NAMESPACE }), count);
    // The same list as plain HTTP + JSON.parse: the server's share, without client-node's model decoding.
    const url = `${sim.url}/api/v1/namespaces/${NAMESPACE}/pods`;
    const rawLists = await listLatencies(async () => (await fetch(url)).json() as Promise<{ items: unknown[] }>, count);
    const pages: number[] = [];
    const pagedLists = await listLatencies(() => listInPages(core, pages), count);
    const watches = await watchLatencies(kc, core);
    console.log(
      `The 150 ms list target applies to one request of a paginated list (limit=${PAGE_LIMIT}), which is how\n` +
        `client-go and informers list large collections; the whole list in one request is shown without a target.`,
    );
    const ok = report([
      { name: `create ${count} StatefulSets`, value: created / 1000, unit: 's' },
      { name: `${count} pods Ready`, value: allReady / 1000, unit: 's', target: { max: 60 } },
      { name: `list ${count} pods, one request p50`, value: percentile(lists, 50), unit: 'ms' },
      { name: `list ${count} pods, one request p99`, value: percentile(lists, 99), unit: 'ms' },
      { name: `  same, fetch + JSON.parse p50`, value: percentile(rawLists, 50), unit: 'ms' },
      { name: `  same, fetch + JSON.parse p99`, value: percentile(rawLists, 99), unit: 'ms' },
      {
        name: `list ${count} pods in pages of ${PAGE_LIMIT}, total p50`,
        value: percentile(pagedLists, 50),
        unit: 'ms',
      },
      {
        name: `list ${count} pods in pages of ${PAGE_LIMIT}, total p99`,
        value: percentile(pagedLists, 99),
        unit: 'ms',
      },
      {
        name: `  one page of ${PAGE_LIMIT} (per request) p99`,
        value: percentile(pages, 99),
        unit: 'ms',
        target: { max: 150 },
      },
      {
        name: `watch latency p99 at ${WATCH_RATE_PER_S}/s`,
        value: percentile(watches, 99),
        unit: 'ms',
        target: { max: 20 },
      },
      {
        name: 'RSS per emulated server (simulator process)',
        value: rssPerServer / 1024,
        unit: 'KB',
        target: { max: 100 },
      },
    ]);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await sim.stop();
  }
}

await main();
