import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Pod,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { waitFor } from '@blockplane/testing';
import { startTestApiServer, statusOf, type LooseJson, type TestApiServer } from './test-api-server.spec-support.js';

let server: TestApiServer;
let core: CoreV1Api;
let apps: AppsV1Api;
let objects: KubernetesObjectApi;
let kc: KubeConfig;

beforeAll(async () => {
  server = await startTestApiServer({ bookmarkIntervalMs: 50 });
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  objects = KubernetesObjectApi.makeApiClient(kc);
});
afterAll(() => server.stop());

const pod = (name: string, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { name, labels },
  spec: {
    containers: [
      { name: 'main', image: 'busybox:1.36', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
    ],
  },
});

const sts = (name: string): V1StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 1,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } },
  },
});

async function rawFetch(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; type: string | null; body: LooseJson }> {
  const res = await fetch(server.url + path, init);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
}

describe('API server with @kubernetes/client-node', () => {
  it('serves discovery and version, tolerating trailing slashes', async () => {
    expect((await rawFetch('/version')).body).toMatchObject({ major: '1', minor: '32' });
    const v1 = await rawFetch('/api/v1/');
    expect(v1.type).toBe('application/json');
    const names = (v1.body.resources as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/log',
        'pods/exec',
        'pods/status',
        'services',
        'persistentvolumeclaims',
        'secrets',
      ]),
    );
    const appsList = await rawFetch('/apis/apps/v1');
    expect(appsList.body.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'statefulsets', shortNames: ['sts'] }),
        expect.objectContaining({ name: 'statefulsets/scale', kind: 'Scale' }),
      ]),
    );
    const groups = (await rawFetch('/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups).toEqual(['apps', 'metrics.k8s.io']);
    const root = (await rawFetch('/openapi/v3')).body.paths;
    const gvDoc = (await rawFetch(root['apis/apps/v1'].serverRelativeURL)).body;
    const patch = gvDoc.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'StatefulSet' });
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
  });

  it('creates, reads, lists with selectors, replaces and deletes', async () => {
    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: pod('crud-a', { app: 'crud', tier: 'x' }),
    });
    await core.createNamespacedPod({ namespace: 'default', body: pod('crud-b', { app: 'crud' }) });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.status?.phase).toBe('Pending');
    const read = await core.readNamespacedPod({ name: 'crud-a', namespace: 'default' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=crud,!tier' });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['crud-b']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));
    const all = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=crud-a' });
    expect(all.items).toHaveLength(1);
    read.metadata = { ...read.metadata, labels: { app: 'crud', replaced: 'yes' } };
    const replaced = await core.replaceNamespacedPod({ name: 'crud-a', namespace: 'default', body: read });
    expect(replaced.metadata?.labels).toEqual({ app: 'crud', replaced: 'yes' });
    await core.deleteNamespacedPod({ name: 'crud-a', namespace: 'default' });
    expect((await statusOf(core.readNamespacedPod({ name: 'crud-a', namespace: 'default' }))).code).toBe(404);
  });

  it('applies JSON, merge, strategic merge and server-side apply patches', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('patchy') });
    const opts = (type: string) => setHeaderOptions('Content-Type', type);
    const json = await core.patchNamespacedPod(
      { name: 'patchy', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels/json', value: 'yes' }] },
      opts(PatchStrategy.JsonPatch),
    );
    expect(json.metadata?.labels).toEqual({ json: 'yes' });
    const merge = await core.patchNamespacedPod(
      { name: 'patchy', namespace: 'default', body: { metadata: { labels: { merge: 'yes', json: null } } } },
      opts(PatchStrategy.MergePatch),
    );
    expect(merge.metadata?.labels).toEqual({ merge: 'yes' });
    const strategic = await core.patchNamespacedPod(
      {
        name: 'patchy',
        namespace: 'default',
        body: { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '2' }] }] } },
      },
      opts(PatchStrategy.StrategicMergePatch),
    );
    const container = strategic.spec?.containers[0];
    expect(container?.image).toBe('busybox:1.36');
    expect(container?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);

    const apply = (body: ReturnType<typeof sts>) =>
      objects.patch(body, undefined, undefined, 'test-manager', true, PatchStrategy.ServerSideApply);
    const applied = await apply(sts('applied'));
    expect(applied.metadata?.uid).toBeTruthy();
    const reapplied = { ...sts('applied'), metadata: { ...sts('applied').metadata, labels: { v: '2' } } };
    const second = await apply(reapplied);
    expect(second.metadata?.labels).toEqual({ v: '2' });
    expect(second.metadata?.uid).toBe(applied.metadata?.uid);
    const third = await apply(sts('applied'));
    expect(third.metadata?.labels).toBeUndefined();

    const unknownType = await rawFetch('/api/v1/namespaces/default/pods/patchy', {
      method: 'PATCH',
      headers: { 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(unknownType.body).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
  });

  it('scales a StatefulSet through the scale subresource and bumps generation on spec change', async () => {
    const created = await apps.createNamespacedStatefulSet({ namespace: 'default', body: sts('scaly') });
    expect(created.metadata?.generation).toBe(1);
    const scale = await apps.readNamespacedStatefulSetScale({ name: 'scaly', namespace: 'default' });
    expect(scale.spec?.replicas).toBe(1);
    await apps.patchNamespacedStatefulSetScale(
      { name: 'scaly', namespace: 'default', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const after = await apps.readNamespacedStatefulSet({ name: 'scaly', namespace: 'default' });
    expect(after.spec?.replicas).toBe(3);
    expect(after.metadata?.generation).toBe(2);
    await apps.replaceNamespacedStatefulSetStatus({
      name: 'scaly',
      namespace: 'default',
      body: { ...after, status: { replicas: 3, readyReplicas: 2 } },
    });
    const status = await apps.readNamespacedStatefulSetStatus({ name: 'scaly', namespace: 'default' });
    expect(status.status?.readyReplicas).toBe(2);
    expect(status.metadata?.generation).toBe(2);
  });

  it('answers errors with upstream Status objects', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('dup') });
    expect(await statusOf(core.createNamespacedPod({ namespace: 'default', body: pod('dup') }))).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'pods "dup" already exists',
      details: { name: 'dup', kind: 'pods' },
    });
    expect(await statusOf(apps.readNamespacedStatefulSet({ name: 'nope', namespace: 'default' }))).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'statefulsets.apps "nope" not found',
      details: { name: 'nope', group: 'apps', kind: 'statefulsets' },
    });
    const stale = await core.readNamespacedPod({ name: 'dup', namespace: 'default' });
    await core.patchNamespacedPod(
      { name: 'dup', namespace: 'default', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(await statusOf(core.replaceNamespacedPod({ name: 'dup', namespace: 'default', body: stale }))).toMatchObject(
      { code: 409, reason: 'Conflict' },
    );
    const invalid = await statusOf(core.createNamespacedPod({ namespace: 'default', body: pod('Not_Valid') }));
    expect(invalid).toMatchObject({ code: 422, reason: 'Invalid', details: { name: 'Not_Valid', kind: 'Pod' } });
    expect(invalid.message).toContain('metadata.name: Invalid value: "Not_Valid"');
    expect(
      (await statusOf(apps.createNamespacedStatefulSet({ namespace: 'default', body: sts('x'.repeat(53)) }))).code,
    ).toBe(422);
    const pvc = {
      metadata: { name: 'bad-size' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '-1Gi' } } },
    };
    expect(
      await statusOf(core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: pvc })),
    ).toMatchObject({ code: 422 });
    const wrongNs = await rawFetch('/api/v1/namespaces/default/pods', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...pod('w'), metadata: { name: 'w', namespace: 'kube-system' } }),
    });
    expect(wrongNs.body).toMatchObject({ code: 400, reason: 'BadRequest' });
    const malformed = await rawFetch('/api/v1/namespaces/default/pods', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{nope',
    });
    expect(malformed.body).toMatchObject({ code: 400, reason: 'BadRequest' });
    const huge = await rawFetch('/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: 'x'.repeat(3 * 1024 * 1024 + 1),
    });
    expect(huge.status).toBe(413);
    expect((await rawFetch('/api/v1/namespaces/default/pods', { method: 'DELETE' })).body).toMatchObject({
      code: 405,
      reason: 'MethodNotAllowed',
    });
  });

  it('serves Tables to kubectl-style Accept headers', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('tabled') });
    const res = await rawFetch('/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dtabled', {
      headers: {
        Accept:
          'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      },
    });
    expect(res.body.kind).toBe('Table');
    expect(res.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(res.body.rows[0].cells.slice(0, 4)).toEqual(['tabled', '0/1', 'Pending', '0']);
    expect(res.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'tabled' } });
  });

  it('deletes with propagation policies through DeleteOptions', async () => {
    const owner = await apps.createNamespacedStatefulSet({ namespace: 'default', body: sts('owner') });
    const ownerRef = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'owner',
      uid: owner.metadata?.uid ?? '',
      controller: true,
    };
    await core.createNamespacedPod({
      namespace: 'default',
      body: { ...pod('owned-0'), metadata: { name: 'owned-0', ownerReferences: [ownerRef] } },
    });
    await apps.deleteNamespacedStatefulSet({
      name: 'owner',
      namespace: 'default',
      body: { propagationPolicy: 'Orphan' },
    });
    const orphan = await core.readNamespacedPod({ name: 'owned-0', namespace: 'default' });
    expect(orphan.metadata?.ownerReferences).toBeUndefined();
    const again = await apps.createNamespacedStatefulSet({ namespace: 'default', body: sts('owner') });
    await core.patchNamespacedPod(
      {
        name: 'owned-0',
        namespace: 'default',
        body: { metadata: { ownerReferences: [{ ...ownerRef, uid: again.metadata?.uid ?? '' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await apps.deleteNamespacedStatefulSet({ name: 'owner', namespace: 'default', propagationPolicy: 'Background' });
    expect((await statusOf(core.readNamespacedPod({ name: 'owned-0', namespace: 'default' }))).code).toBe(404);
  });

  it('streams watch events, resumes from a resourceVersion, and expires old ones with 410', async () => {
    const events: { type: string; name?: string; rv?: string }[] = [];
    const start = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion ?? '';
    const done: unknown[] = [];
    const watch = new Watch(kc);
    const req = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: start, allowWatchBookmarks: true },
      (type, obj) => events.push({ type, name: obj?.metadata?.name, rv: obj?.metadata?.resourceVersion }),
      (err) => done.push(err),
    );
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'w1' }, data: { a: '1' } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'w1', namespace: 'default', body: { data: { a: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'default' });
    await waitFor(
      'watch events',
      () => events.some((e) => e.type === 'DELETED') && events.some((e) => e.type === 'BOOKMARK'),
      { timeoutMs: 5000 },
    );
    expect(events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type}:${e.name}`)).toEqual([
      'ADDED:w1',
      'MODIFIED:w1',
      'DELETED:w1',
    ]);
    req.abort();

    const replayed: string[] = [];
    const replay = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: start },
      (type) => replayed.push(type),
      () => undefined,
    );
    await waitFor('replayed events', () => replayed.length === 3, { timeoutMs: 5000 });
    replay.abort();

    const small = await startTestApiServer({ watchWindow: 2 });
    try {
      const skc = new KubeConfig();
      skc.loadFromString(small.kubeconfig);
      const first = small.store.resourceVersion;
      for (const name of ['a', 'b', 'c'])
        small.store.create(
          { group: '', version: 'v1', plural: 'configmaps' },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } },
        );
      const expired: { type: string; code?: number; reason?: string }[] = [];
      let ended = false;
      await new Watch(skc).watch(
        '/api/v1/configmaps',
        { resourceVersion: first },
        (type, obj) => expired.push({ type, code: obj.code, reason: obj.reason }),
        () => (ended = true),
      );
      await waitFor('expired watch to end', () => ended, { timeoutMs: 5000 });
      expect(expired).toEqual([{ type: 'ERROR', code: 410, reason: 'Expired' }]);
    } finally {
      await small.stop();
    }
  });

  it('injects latency, errors, conflicts and exposes them over the control API', async () => {
    server.api.faults.set({ errorRates: { 500: 0, 503: 1, 429: 0 } });
    expect(await statusOf(core.listNamespacedPod({ namespace: 'default' }))).toMatchObject({
      code: 503,
      reason: 'ServiceUnavailable',
    });
    server.api.faults.set({ errorRates: { 500: 0, 503: 0, 429: 1 }, retryAfterSeconds: 7 });
    const limited = await fetch(`${server.url}/api/v1/pods`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    server.api.faults.set({ errorRates: { 500: 0, 503: 0, 429: 0 }, conflictRate: 1, latencyMs: 30 });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'conflicted' } } });
    const began = Date.now();
    expect(
      await statusOf(
        core.patchNamespacedConfigMap(
          { name: 'conflicted', namespace: 'default', body: { data: { a: 'b' } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      ),
    ).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(Date.now() - began).toBeGreaterThanOrEqual(25);
    server.api.faults.reset();
    expect((await core.readNamespacedConfigMap({ name: 'conflicted', namespace: 'default' })).metadata?.name).toBe(
      'conflicted',
    );
  });
});
