import { describe, expect, it } from '@jest/globals';
import { ApiError } from './api-error.js';
import { Store, scaleOf } from './store.js';
import type { KubeObject, StoreEvent } from './types.js';

const PODS = { group: '', version: 'v1', plural: 'pods' };
const STS = { group: 'apps', version: 'v1', plural: 'statefulsets' };
const CM = { group: '', version: 'v1', plural: 'configmaps' };
const NS = { group: '', version: 'v1', plural: 'namespaces' };

const pod = (
  name: string,
  extra: Partial<KubeObject['metadata']> = {},
  spec: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...extra },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
});

const sts = (name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
  },
});

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

function recording(store: Store): StoreEvent[] {
  const events: StoreEvent[] = [];
  store.subscribe((ev) => events.push(ev));
  return events;
}

describe('Store', () => {
  it('starts with the core namespaces', () => {
    const names = new Store().list(NS).items.map((n) => n.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system']));
  });

  it('fills server-side metadata and bumps one global resourceVersion', () => {
    const store = new Store();
    const a = store.create(PODS, pod('a'));
    const b = store.create(CM, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'cfg-' },
      data: { k: 'v' },
    });
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(a.metadata.generation).toBe(1);
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(b.metadata.name).toMatch(/^cfg-[a-z0-9]{5}$/);
    expect(store.resourceVersion).toBe(b.metadata.resourceVersion);
    expect((a.status as { phase: string }).phase).toBe('Pending');
  });

  it('answers AlreadyExists, NotFound namespace and Invalid names like upstream', () => {
    const store = new Store();
    store.create(PODS, pod('a'));
    const dup = apiError(() => store.create(PODS, pod('a')));
    expect(dup.toStatus()).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'pods "a" already exists',
      details: { name: 'a', kind: 'pods' },
    });
    const noNs = apiError(() => store.create(PODS, pod('b', { namespace: 'nope' })));
    expect(noNs.code).toBe(404);
    const bad = apiError(() => store.create(PODS, pod('Bad_Name')));
    expect(bad.code).toBe(422);
    expect(bad.message).toMatch(
      /^Pod "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(bad.details?.causes?.[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    const longSts = apiError(() => store.create(STS, sts('s'.repeat(53))));
    expect(longSts.toStatus()).toMatchObject({ code: 422, details: { group: 'apps', kind: 'StatefulSet' } });
    expect(() => store.create(STS, sts('s'.repeat(52)))).not.toThrow();
  });

  it('folds Secret stringData into base64 data', () => {
    const store = new Store();
    const secret = store.create(
      { group: '', version: 'v1', plural: 'secrets' },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'hunter2' } },
    );
    expect(secret).toMatchObject({ type: 'Opaque', data: { a: 'eA==', b: Buffer.from('hunter2').toString('base64') } });
    expect(secret.stringData).toBeUndefined();
  });

  it('rejects undecodable quantities with 400 and negative ones with 422', () => {
    const store = new Store();
    const withCpu = (cpu: string) =>
      pod('q', {}, { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }] });
    expect(apiError(() => store.create(PODS, withCpu('lots'))).code).toBe(400);
    const negative = apiError(() => store.create(PODS, withCpu('-1')));
    expect(negative.code).toBe(422);
    expect(negative.details?.causes?.[0]?.field).toBe('spec.containers[0].resources.requests[cpu]');
    expect(store.create(PODS, withCpu('500m')).metadata.name).toBe('q');
  });

  it('rejects a stale resourceVersion with 409 Conflict and bumps generation on spec change only', () => {
    const store = new Store();
    const created = store.create(STS, sts('web'));
    const scaled = store.update(STS, { ...created, spec: { ...(created.spec as object), replicas: 3 } });
    expect(scaled.metadata.generation).toBe(2);
    const stale = apiError(() => store.update(STS, created));
    expect(stale.toStatus()).toMatchObject({
      code: 409,
      reason: 'Conflict',
      details: { name: 'web', group: 'apps', kind: 'statefulsets' },
    });
    const status = store.update(STS, { ...scaled, status: { replicas: 3 } }, { subresource: 'status' });
    expect(status.metadata.generation).toBe(2);
    expect(status.status).toEqual({ replicas: 3 });
    const ignoredStatus = store.update(STS, {
      ...status,
      metadata: { ...status.metadata, labels: { a: 'b' } },
      status: { replicas: 9 },
    });
    expect(ignoredStatus.status).toEqual({ replicas: 3 });
  });

  it('scales through the scale subresource', () => {
    const store = new Store();
    const created = store.create(STS, sts('web'));
    const scale = store.update(STS, { ...scaleOf(created), spec: { replicas: 5 } }, { subresource: 'scale' });
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 5 }, status: { selector: 'app=web' } });
    expect((store.get(STS, 'default', 'web')?.spec as { replicas: number }).replicas).toBe(5);
  });

  it('mutate is a no-op without change and never conflicts', () => {
    const store = new Store();
    const events = recording(store);
    store.create(PODS, pod('a'));
    const rv = store.resourceVersion;
    store.mutate(PODS, 'default', 'a', (o) => {
      o.status = { phase: 'Pending' };
    });
    expect(store.resourceVersion).toBe(rv);
    const running = store.mutate(PODS, 'default', 'a', (o) => ((o.status as { phase: string }).phase = 'Running'), {
      subresource: 'status',
    });
    expect((running?.status as { phase: string }).phase).toBe('Running');
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(store.mutate(PODS, 'default', 'gone', () => undefined)).toBeUndefined();
  });

  it('hands out copies and freezes what listeners see', () => {
    const store = new Store();
    const events = recording(store);
    const a = store.create(PODS, pod('a'));
    a.metadata.labels = { changed: 'yes' };
    expect(store.get(PODS, 'default', 'a')?.metadata.labels).toBeUndefined();
    expect(Object.isFrozen(events[0]?.object.metadata)).toBe(true);
  });

  it('deletes a pod bound to a node gracefully, then for good at grace 0', () => {
    const store = new Store();
    const events = recording(store);
    store.create(PODS, pod('a', {}, { nodeName: 'kube-sim-node', terminationGracePeriodSeconds: 10 }));
    const marked = store.delete(PODS, 'default', 'a');
    expect(marked?.metadata.deletionTimestamp).toBeDefined();
    expect(marked?.metadata.deletionGracePeriodSeconds).toBe(10);
    expect(store.get(PODS, 'default', 'a')).toBeDefined();
    store.delete(PODS, 'default', 'a', { gracePeriodSeconds: 0 });
    expect(store.get(PODS, 'default', 'a')).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(store.delete(PODS, 'default', 'a')).toBeUndefined();
  });

  it('keeps a pod in its grace period through status writes and finalizer removal', () => {
    const store = new Store();
    const bound = { nodeName: 'kube-sim-node', terminationGracePeriodSeconds: 10 };
    store.create(PODS, pod('a', { finalizers: ['x/y'] }, bound));
    store.delete(PODS, 'default', 'a');
    store.mutate(PODS, 'default', 'a', (o) => (o.status = { phase: 'Running' }), { subresource: 'status' });
    store.mutate(PODS, 'default', 'a', (o) => (o.metadata.finalizers = []));
    expect(store.get(PODS, 'default', 'a')?.status).toMatchObject({ phase: 'Running' });
    store.delete(PODS, 'default', 'a', { gracePeriodSeconds: 0 });
    expect(store.get(PODS, 'default', 'a')).toBeUndefined();

    store.create(PODS, pod('b', { finalizers: ['x/y'] }, bound));
    store.delete(PODS, 'default', 'b', { gracePeriodSeconds: 0 });
    expect(store.get(PODS, 'default', 'b')?.metadata.deletionGracePeriodSeconds).toBe(0);
    store.mutate(PODS, 'default', 'b', (o) => (o.metadata.finalizers = []));
    expect(store.get(PODS, 'default', 'b')).toBeUndefined();
  });

  it('holds an object with finalizers until the last one is removed', () => {
    const store = new Store();
    store.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['x/y'] } });
    expect(store.delete(CM, 'default', 'c')?.metadata.deletionTimestamp).toBeDefined();
    expect(store.get(CM, 'default', 'c')).toBeDefined();
    store.mutate(CM, 'default', 'c', (o) => (o.metadata.finalizers = []));
    expect(store.get(CM, 'default', 'c')).toBeUndefined();
  });

  it('cascades deletion to dependents: background, foreground and orphan', () => {
    const store = new Store();
    const owned = (name: string, owner: KubeObject) =>
      store.create(
        PODS,
        pod(name, {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'StatefulSet',
              name: owner.metadata.name ?? '',
              uid: owner.metadata.uid ?? '',
              controller: true,
            },
          ],
        }),
      );

    const bg = store.create(STS, sts('bg'));
    owned('bg-0', bg);
    store.delete(STS, 'default', 'bg');
    expect(store.get(PODS, 'default', 'bg-0')).toBeUndefined();

    const orphan = store.create(STS, sts('or'));
    owned('or-0', orphan);
    store.delete(STS, 'default', 'or', { propagationPolicy: 'Orphan' });
    expect(store.get(STS, 'default', 'or')).toBeUndefined();
    expect(store.get(PODS, 'default', 'or-0')?.metadata.ownerReferences).toBeUndefined();

    const fg = store.create(STS, sts('fg'));
    owned('fg-0', fg);
    store.mutate(PODS, 'default', 'fg-0', (o) => ((o.spec as { nodeName: string }).nodeName = 'kube-sim-node'));
    const marked = store.delete(STS, 'default', 'fg', { propagationPolicy: 'Foreground' });
    expect(marked?.metadata.finalizers).toContain('foregroundDeletion');
    expect(store.get(PODS, 'default', 'fg-0')?.metadata.deletionTimestamp).toBeDefined();
    expect(store.get(STS, 'default', 'fg')).toBeDefined();
    store.delete(PODS, 'default', 'fg-0', { gracePeriodSeconds: 0 });
    expect(store.get(STS, 'default', 'fg')).toBeUndefined();
  });

  it('terminates a namespace after its contents and refuses new content meanwhile', () => {
    const store = new Store();
    store.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    store.create(PODS, pod('a', { namespace: 'team' }, { nodeName: 'kube-sim-node' }));
    const ns = store.delete(NS, undefined, 'team');
    expect((ns?.status as { phase: string }).phase).toBe('Terminating');
    expect(apiError(() => store.create(PODS, pod('b', { namespace: 'team' }))).code).toBe(403);
    store.delete(PODS, 'team', 'a', { gracePeriodSeconds: 0 });
    expect(store.get(NS, undefined, 'team')).toBeUndefined();
  });

  it('filters lists by namespace, labels and fields', () => {
    const store = new Store();
    store.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    store.create(PODS, pod('a', { labels: { app: 'mc', tier: 'game' } }));
    store.create(PODS, pod('b', { labels: { app: 'web' } }));
    store.create(PODS, pod('c', { namespace: 'other', labels: { app: 'mc' } }));
    const names = (opts: Parameters<Store['list']>[1]) =>
      store.list(PODS, opts).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(names({})).toEqual(['default/a', 'default/b', 'other/c']);
    expect(names({ namespace: 'default' })).toEqual(['default/a', 'default/b']);
    expect(names({ labelSelector: 'app=mc' })).toEqual(['default/a', 'other/c']);
    expect(names({ labelSelector: 'app in (mc, web),!tier' })).toEqual(['default/b', 'other/c']);
    expect(names({ labelSelector: 'app!=mc' })).toEqual(['default/b']);
    expect(names({ labelSelector: 'tier' })).toEqual(['default/a']);
    expect(names({ labelSelector: 'app notin (web)' })).toEqual(['default/a', 'other/c']);
    expect(names({ fieldSelector: 'metadata.name=b' })).toEqual(['default/b']);
    expect(names({ fieldSelector: 'metadata.namespace!=default,status.phase=Pending' })).toEqual(['other/c']);
    expect(apiError(() => store.list(PODS, { fieldSelector: 'spec.bogus=1' })).message).toBe(
      'field label not supported: spec.bogus',
    );
    expect(apiError(() => store.list(PODS, { labelSelector: 'a in (b' })).code).toBe(400);
  });

  it('delivers events to every listener in commit order when a listener writes', () => {
    const store = new Store();
    const seen: string[][] = [[], []];
    store.subscribe((ev) => {
      seen[0]?.push(`${ev.type}:${ev.object.metadata.resourceVersion}`);
      if (ev.type === 'ADDED' && ev.ref.plural === 'pods')
        store.mutate(PODS, 'default', ev.object.metadata.name ?? '', (o) => ((o.metadata.labels ??= {}).seen = 'y'));
    });
    store.subscribe((ev) => seen[1]?.push(`${ev.type}:${ev.object.metadata.resourceVersion}`));
    store.create(PODS, pod('a'));
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[1]?.map((s) => s.split(':')[0])).toEqual(['ADDED', 'MODIFIED']);
  });
});
