import { describe, expect, it } from '@jest/globals';
import { ObjectIndex } from './object-index.js';
import { findResource, type ResourceDef } from './resource-registry.js';
import type { KubeObject } from './types.js';

function core(plural: string): ResourceDef {
  const def = findResource({ group: '', version: 'v1', plural });
  if (!def) throw new Error(`no resource ${plural}`);
  return def;
}
const PODS = core('pods');
const CMS = core('configmaps');

const obj = (kind: string, namespace: string, name: string, uid: string, owners: string[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: {
    name,
    namespace,
    uid,
    ...(owners.length
      ? { ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'X', name: o, uid: o })) }
      : {}),
  },
});
const names = (found: Iterable<[unknown, KubeObject]>) => [...found].map(([, o]) => o.metadata.name).sort();

describe('ObjectIndex', () => {
  it('finds objects by namespace, owner uid and uid, and follows updates and deletes', () => {
    const index = new ObjectIndex();
    index.set(PODS, 'a/p1', obj('Pod', 'a', 'p1', 'u1', ['owner']));
    index.set(PODS, 'b/p2', obj('Pod', 'b', 'p2', 'u2', ['owner']));
    index.set(CMS, 'a/c1', obj('ConfigMap', 'a', 'c1', 'u3'));

    expect([...index.entries(PODS, 'a')].map(([k]) => k)).toEqual(['a/p1']);
    expect(names(index.inNamespace('a'))).toEqual(['c1', 'p1']);
    expect(names(index.dependents('owner'))).toEqual(['p1', 'p2']);
    expect(index.byUid('u3')?.[1].metadata.name).toBe('c1');

    index.set(PODS, 'a/p1', obj('Pod', 'a', 'p1', 'u1')); // a new version without the ownerReference
    expect(names(index.dependents('owner'))).toEqual(['p2']);

    index.delete(PODS, 'a/p1');
    index.delete(CMS, 'a/c1');
    expect(index.hasObjectsIn('a')).toBe(false);
    expect(index.hasObjectsIn('b')).toBe(true);
    expect(index.byUid('u1')).toBeUndefined();
  });

  it('replaces another object stored under the same key (a snapshot restored over a default)', () => {
    const index = new ObjectIndex();
    index.set(PODS, 'a/p', obj('Pod', 'a', 'p', 'old', ['owner']));
    index.set(PODS, 'a/p', obj('Pod', 'a', 'p', 'new'));
    expect(index.byUid('old')).toBeUndefined();
    expect(index.byUid('new')?.[1].metadata.uid).toBe('new');
    expect(index.dependents('owner')).toEqual([]);
    index.delete(PODS, 'a/p');
    expect(index.hasObjectsIn('a')).toBe(false);
  });
});
