// `limit` / `continue` on list, through client-node as client-go's pager and informers use them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig, type V1PodList } from '@kubernetes/client-node';
import { PODS } from '../cluster/refs.js';
import { startTestApiServer, statusOf, type TestApiServer } from './test-api-server.spec-support.js';

const NAMESPACE = 'paging';
const POD_COUNT = 25;

let server: TestApiServer;
let core: CoreV1Api;

const names = (list: V1PodList) => list.items.map((p) => p.metadata?.name);
const podName = (i: number) => `p-${String(i).padStart(2, '0')}`;

beforeAll(async () => {
  server = await startTestApiServer();
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  server.store.create(
    { group: '', version: 'v1', plural: 'namespaces' },
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    },
  );
  for (let i = 0; i < POD_COUNT; i++)
    server.store.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: podName(i), namespace: NAMESPACE, labels: { parity: i % 2 ? 'odd' : 'even' } },
      spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
    });
});
afterAll(() => server.stop());

/** Every page of a list with `limit`, following metadata.continue. */
async function walk(limit: number, labelSelector?: string): Promise<V1PodList[]> {
  const pages: V1PodList[] = [];
  let token: string | undefined;
  do {
    const page = await core.listNamespacedPod({
      namespace: NAMESPACE,
      limit,
      ...(token ? { _continue: token } : {}),
      ...(labelSelector ? { labelSelector } : {}),
    });
    pages.push(page);
    token = page.metadata?._continue;
  } while (token);
  return pages;
}

describe('list pagination', () => {
  it('walks every pod in key order, at one resourceVersion, counting what remains', async () => {
    const pages = await walk(10);
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
    expect(pages.flatMap(names)).toEqual(Array.from({ length: POD_COUNT }, (_, i) => podName(i)));
    expect(pages.map((p) => p.metadata?.remainingItemCount)).toEqual([15, 5, undefined]);
    expect(new Set(pages.map((p) => p.metadata?.resourceVersion)).size).toBe(1);
  });

  it('returns everything in one page without limit, or when the limit covers it', async () => {
    for (const limit of [undefined, 0, POD_COUNT]) {
      const list = await core.listNamespacedPod({ namespace: NAMESPACE, ...(limit === undefined ? {} : { limit }) });
      expect(list.items).toHaveLength(POD_COUNT);
      expect(list.metadata?._continue).toBeUndefined();
    }
  });

  it('pages a selected list without remainingItemCount, as upstream', async () => {
    const pages = await walk(5, 'parity=odd');
    expect(pages.flatMap(names)).toEqual(Array.from({ length: 12 }, (_, i) => podName(2 * i + 1)));
    expect(pages.map((p) => p.metadata?.remainingItemCount)).toEqual([undefined, undefined, undefined]);
  });

  it('serves later pages from the first page snapshot while objects change', async () => {
    const first = await core.listNamespacedPod({ namespace: NAMESPACE, limit: 10 });
    const before = server.store.get(PODS, NAMESPACE, podName(20));
    server.store.mutate(PODS, NAMESPACE, podName(20), (o) => {
      o.metadata.labels = { ...o.metadata.labels, changed: 'yes' };
    });
    server.store.delete(PODS, NAMESPACE, podName(15));
    server.store.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p-99', namespace: NAMESPACE },
      spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
    });

    const rest: V1PodList[] = [];
    for (let token = first.metadata?._continue; token; token = rest.at(-1)?.metadata?._continue)
      rest.push(await core.listNamespacedPod({ namespace: NAMESPACE, limit: 10, _continue: token }));
    const all = [first, ...rest].flatMap((p) => p.items);
    expect(all.map((p) => p.metadata?.name)).toEqual(Array.from({ length: POD_COUNT }, (_, i) => podName(i)));
    const old20 = all.find((p) => p.metadata?.name === podName(20));
    expect(old20?.metadata?.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(old20?.metadata?.labels?.['changed']).toBeUndefined();
    expect(rest.map((p) => p.metadata?.resourceVersion)).toEqual(rest.map(() => first.metadata?.resourceVersion));

    const fresh = (await walk(10)).flatMap(names);
    expect(fresh).toContain('p-99');
    expect(fresh).not.toContain(podName(15));
  });

  it('answers 400 to a token it cannot read and 410 Expired to one it no longer has', async () => {
    const garbage = await statusOf(
      core.listNamespacedPod({ namespace: NAMESPACE, limit: 5, _continue: 'not-a-token' }),
    );
    expect(garbage).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(garbage.message).toMatch(/^invalid continue token: /);

    const unknown = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: 'paging/p-05\u0000' })).toString(
      'base64url',
    );
    const expired = await statusOf(core.listNamespacedPod({ namespace: NAMESPACE, limit: 5, _continue: unknown }));
    expect(expired).toMatchObject({ code: 410, reason: 'Expired' });
    expect(expired.message).toMatch(/continue parameter is too old/);

    const { metadata } = await core.listNamespacedPod({ namespace: NAMESPACE, limit: 5 });
    const mixed = await fetch(
      `${server.url}/api/v1/namespaces/${NAMESPACE}/pods?limit=5&resourceVersion=1&continue=${metadata?._continue}`,
    );
    expect(mixed.status).toBe(400);
  });
});
