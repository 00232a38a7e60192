import { describe, expect, it } from '@jest/globals';
import { ApiError } from './api-error.js';
import type { LooseJson } from './test-api-server.spec-support.js';
import { applyConfiguration, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, patchTypeOf } from './patch.js';

const podSpec = () => ({
  spec: {
    containers: [
      {
        name: 'main',
        image: 'a:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        ports: [{ containerPort: 25565, protocol: 'TCP' }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      { name: 'side', image: 's:1' },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  },
  metadata: { finalizers: ['a'], labels: { x: '1' } },
});

describe('patchTypeOf', () => {
  it('maps the four patch content types and rejects others with 415', () => {
    expect(patchTypeOf('application/strategic-merge-patch+json; charset=utf-8')).toBe('strategic');
    expect(patchTypeOf('application/apply-patch+yaml')).toBe('apply');
    const err = (() => {
      try {
        patchTypeOf('application/json');
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(err?.code).toBe(415);
  });
});

describe('applyJsonPatch', () => {
  it('applies add/replace/remove/move/copy/test and fails a bad test with 422', () => {
    const out = applyJsonPatch({ a: [1, 2], b: { c: 1 } }, [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'replace', path: '/b/c', value: 2 },
      { op: 'copy', from: '/b', path: '/d' },
      { op: 'move', from: '/d/c', path: '/e' },
      { op: 'remove', path: '/a/0' },
      { op: 'test', path: '/e', value: 2 },
    ]);
    expect(out).toEqual({ a: [2, 3], b: { c: 2 }, d: {}, e: 2 });
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(ApiError);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/missing', value: 2 }])).toThrow(/missing path/);
  });
});

describe('applyMergePatch', () => {
  it('merges objects, deletes nulls and replaces lists', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({
      a: { c: 2, d: 3 },
      l: [3],
    });
  });
});

describe('applyStrategicMergePatch', () => {
  it('merges lists by their upstream merge keys', () => {
    const out = applyStrategicMergePatch(podSpec(), {
      spec: {
        containers: [
          {
            name: 'main',
            env: [
              { name: 'B', value: 'two' },
              { name: 'C', value: '3' },
            ],
            volumeMounts: [{ name: 'logs', mountPath: '/logs' }],
          },
        ],
      },
      metadata: { finalizers: ['b'] },
    }) as ReturnType<typeof podSpec>;
    const main = out.spec.containers[0];
    expect(main?.image).toBe('a:1');
    expect(main?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
    expect((main?.volumeMounts ?? []).map((m) => m.mountPath)).toEqual(['/data', '/logs']);
    expect(out.spec.containers).toHaveLength(2);
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
  });

  it('honours $patch delete/replace, $deleteFromPrimitiveList and $retainKeys', () => {
    const out = applyStrategicMergePatch(podSpec(), {
      spec: {
        containers: [{ name: 'side', $patch: 'delete' }],
        volumes: [{ name: 'data', hostPath: { path: '/x' }, $retainKeys: ['name', 'hostPath'] }],
      },
      metadata: { labels: { $patch: 'replace', y: '2' }, '$deleteFromPrimitiveList/finalizers': ['a'] },
    }) as LooseJson;
    expect(out.spec.containers.map((c: { name: string }) => c.name)).toEqual(['main']);
    expect(out.spec.volumes).toEqual([{ name: 'data', hostPath: { path: '/x' } }]);
    expect(out.metadata.labels).toEqual({ y: '2' });
    expect(out.metadata.finalizers).toEqual([]);
  });

  it('keys service ports by port and container ports by containerPort', () => {
    const svc = applyStrategicMergePatch(
      { spec: { type: 'ClusterIP', ports: [{ port: 80, name: 'http' }] } },
      { spec: { ports: [{ port: 81, name: 'alt' }] } },
    ) as LooseJson;
    expect(svc.spec.ports.map((p: { port: number }) => p.port)).toEqual([80, 81]);
    const pod = applyStrategicMergePatch(podSpec(), {
      spec: { containers: [{ name: 'main', ports: [{ containerPort: 25575, name: 'rcon' }] }] },
    }) as LooseJson;
    expect(pod.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([25565, 25575]);
  });
});

describe('applyConfiguration (server-side apply)', () => {
  it('removes what the same manager applied before and no longer applies, keeping other fields', () => {
    const live = {
      metadata: { labels: { a: '1', b: '2', other: 'kept' } },
      spec: {
        containers: [
          { name: 'x', image: 'i' },
          { name: 'y', image: 'j' },
        ],
      },
    };
    const previous = {
      metadata: { labels: { a: '1', b: '2' } },
      spec: {
        containers: [
          { name: 'x', image: 'i' },
          { name: 'y', image: 'j' },
        ],
      },
    };
    const next = { metadata: { labels: { a: '1' } }, spec: { containers: [{ name: 'x', image: 'i2' }] } };
    expect(applyConfiguration(live, previous, next)).toEqual({
      metadata: { labels: { a: '1', other: 'kept' } },
      spec: { containers: [{ name: 'x', image: 'i2' }] },
    });
  });
});
