import type { ResourceDef } from './resource-registry.js';
import type { KubeObject } from './types.js';

interface Entry {
  def: ResourceDef;
  key: string;
}

/**
 * The Store's objects with indexes by namespace, owner uid and uid, so that listing a namespace,
 * finding dependents or an owner, and checking whether a namespace is empty cost what they
 * return instead of a scan of every object (which made 10,000 pods quadratic).
 */
export class ObjectIndex {
  private readonly tables = new Map<ResourceDef, Map<string, KubeObject>>();
  private readonly namespaces = new Map<ResourceDef, Map<string, Map<string, KubeObject>>>();
  private readonly owned = new Map<string, Set<Entry>>(); // by owner uid
  private readonly uids = new Map<string, Entry>();
  private readonly namespaceCounts = new Map<string, number>(); // namespaced objects of every resource

  get(def: ResourceDef, key: string): KubeObject | undefined {
    return this.tables.get(def)?.get(key);
  }

  has(def: ResourceDef, key: string): boolean {
    return this.tables.get(def)?.has(key) ?? false;
  }

  /** Stores `obj` under `key`, replacing the object there (a new version, or another object on restore). */
  set(def: ResourceDef, key: string, obj: KubeObject): void {
    const uid = obj.metadata.uid ?? '';
    if (this.get(def, key)?.metadata.uid !== uid) this.delete(def, key);
    const table = mapIn(this.tables, def);
    const previous = table.get(key);
    table.set(key, obj);
    const namespace = obj.metadata.namespace;
    if (def.namespaced) mapIn(mapIn(this.namespaces, def), namespace ?? '').set(key, obj);
    let entry = this.uids.get(uid);
    if (!entry) {
      entry = { def, key };
      this.uids.set(uid, entry);
      if (def.namespaced) this.count(namespace ?? '', 1);
    }
    for (const ref of previous?.metadata.ownerReferences ?? []) this.unown(ref.uid, entry);
    for (const ref of obj.metadata.ownerReferences ?? []) setIn(this.owned, ref.uid).add(entry);
  }

  delete(def: ResourceDef, key: string): void {
    const obj = this.get(def, key);
    if (!obj) return;
    this.tables.get(def)?.delete(key);
    const namespace = obj.metadata.namespace ?? '';
    if (def.namespaced) {
      const inNamespace = this.namespaces.get(def)?.get(namespace);
      inNamespace?.delete(key);
      if (inNamespace?.size === 0) this.namespaces.get(def)?.delete(namespace);
      this.count(namespace, -1);
    }
    const entry = this.uids.get(obj.metadata.uid ?? '');
    this.uids.delete(obj.metadata.uid ?? '');
    if (entry) for (const ref of obj.metadata.ownerReferences ?? []) this.unown(ref.uid, entry);
  }

  /** [key, object] of a resource, or of one namespace when `namespace` is given for a namespaced one. */
  entries(def: ResourceDef, namespace?: string): Iterable<[string, KubeObject]> {
    const table =
      def.namespaced && namespace !== undefined ? this.namespaces.get(def)?.get(namespace) : this.tables.get(def);
    return table?.entries() ?? [];
  }

  *all(): Generator<[ResourceDef, KubeObject]> {
    for (const [def, table] of this.tables) for (const obj of table.values()) yield [def, obj];
  }

  /** Objects of every namespaced resource in `namespace`. */
  *inNamespace(namespace: string): Generator<[ResourceDef, KubeObject]> {
    for (const [def, byNamespace] of this.namespaces)
      for (const obj of byNamespace.get(namespace)?.values() ?? []) yield [def, obj];
  }

  hasObjectsIn(namespace: string): boolean {
    return (this.namespaceCounts.get(namespace) ?? 0) > 0;
  }

  /** Objects with an ownerReference to `uid`. */
  dependents(uid: string | undefined): [ResourceDef, KubeObject][] {
    const out: [ResourceDef, KubeObject][] = [];
    for (const { def, key } of this.owned.get(uid ?? '') ?? []) {
      const obj = this.get(def, key);
      if (obj) out.push([def, obj]);
    }
    return out;
  }

  byUid(uid: string): [ResourceDef, KubeObject] | undefined {
    const entry = this.uids.get(uid);
    const obj = entry && this.get(entry.def, entry.key);
    return entry && obj ? [entry.def, obj] : undefined;
  }

  private unown(ownerUid: string, entry: Entry): void {
    const set = this.owned.get(ownerUid);
    set?.delete(entry);
    if (set?.size === 0) this.owned.delete(ownerUid);
  }

  private count(namespace: string, delta: number): void {
    const next = (this.namespaceCounts.get(namespace) ?? 0) + delta;
    if (next > 0) this.namespaceCounts.set(namespace, next);
    else this.namespaceCounts.delete(namespace);
  }
}

function mapIn<K, K2, V>(outer: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}

function setIn<K, V>(outer: Map<K, Set<V>>, key: K): Set<V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Set()));
  return inner;
}
