import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { waitFor } from '@blockplane/testing';
import { startTestApiServer, type TestApiServer } from './test-api-server.spec-support.js';

const PODS = 1000;
const CONCURRENCY = 25;
const WINDOW = 300;
const PODS_REF = { group: '', version: 'v1', plural: 'pods' };

let server: TestApiServer;
let core: CoreV1Api;
let kc: KubeConfig;

beforeAll(async () => {
  // A small event window and short server-side watch timeouts force reconnects, 410s and relists.
  server = await startTestApiServer({ watchWindow: WINDOW, watchTimeoutSeconds: 1 });
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(() => server.stop());

async function inParallel<T>(items: T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let item = items[next++]; item !== undefined; item = items[next++]) await fn(item);
    }),
  );
}

describe('client-node informer against a churning API', () => {
  it('converges on every change, in order, through cut streams, timeouts and 410 relists', async () => {
    let lists = 0;
    const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => {
      lists++;
      return core.listNamespacedPod({ namespace: 'default' });
    });
    const lastSeen = new Map<string, number>();
    const outOfOrder: string[] = [];
    const deleted = new Set<string>();
    const see = (kind: 'add' | 'update' | 'delete') => (pod: V1Pod) => {
      const name = pod.metadata?.name ?? '';
      const rv = Number(pod.metadata?.resourceVersion);
      const last = lastSeen.get(name) ?? 0;
      if (kind === 'delete' ? rv < last : rv <= last) outOfOrder.push(`${kind} ${name} ${rv} after ${last}`);
      lastSeen.set(name, rv);
      if (kind === 'delete') deleted.add(name);
      else deleted.delete(name);
    };
    informer.on('add', see('add'));
    informer.on('update', see('update'));
    informer.on('delete', see('delete'));
    let errors = 0;
    let connects = 0;
    informer.on('connect', () => connects++);
    // client-node stops an informer on a reset connection: restart it, as an application must.
    let running = true;
    informer.on('error', () => {
      errors++;
      if (running) setTimeout(() => running && void informer.start(), 20);
    });
    await informer.start();

    const cutter = setInterval(() => server.api.faults.cutWatches(), 100);
    const names = Array.from({ length: PODS }, (_, i) => `churn-${i}`);
    try {
      await inParallel(names, (name) =>
        core.createNamespacedPod({
          namespace: 'default',
          body: { metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        }),
      );
      await waitFor('an open watch to reset', () => server.api.faults.openWatches > 0, { timeoutMs: 5000 });
      expect(server.api.faults.cutWatches({ abrupt: true })).toBeGreaterThan(0);
      // Cut, then write more events than the window holds before the informer can come back: it gets 410 and relists.
      server.api.faults.cutWatches();
      for (const name of names.slice(0, WINDOW + 50))
        server.store.mutate(PODS_REF, 'default', name, (o) => ((o.metadata.annotations ??= {}).burst = 'yes'));
      await inParallel(names, (name) =>
        core.patchNamespacedPod(
          { name, namespace: 'default', body: { metadata: { labels: { gen: '1' } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
      await inParallel(
        names.filter((_, i) => i % 3 === 0),
        (name) => core.deleteNamespacedPod({ name, namespace: 'default' }),
      );
    } finally {
      clearInterval(cutter);
    }

    const expected = new Map(
      server.store
        .list(PODS_REF, { namespace: 'default' })
        .items.map((p) => [p.metadata.name, p.metadata.resourceVersion]),
    );
    const converged = () => {
      const cached = informer.list('default');
      return (
        cached.length === expected.size &&
        cached.every((p) => expected.get(p.metadata?.name) === p.metadata?.resourceVersion)
      );
    };
    try {
      await waitFor('the informer cache to match the store', converged, { timeoutMs: 20_000 });
    } finally {
      running = false;
      await informer.stop();
    }

    expect(outOfOrder).toEqual([]);
    const cached = informer.list('default');
    expect(cached.every((p) => p.metadata?.labels?.gen === '1')).toBe(true);
    expect(cached.filter((p) => p.metadata?.annotations?.burst === 'yes').length).toBeGreaterThan(0);
    const gone = names.filter((_, i) => i % 3 === 0);
    expect(gone.every((name) => deleted.has(name))).toBe(true);
    expect(deleted.size).toBe(gone.length);
    expect(errors).toBeGreaterThanOrEqual(1);
    expect(lists).toBeGreaterThan(1);
    // Reconnects follow cuts and timeouts, not a storm.
    expect(connects).toBeLessThan(200);
  }, 60_000);
});
