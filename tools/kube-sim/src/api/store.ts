import { randomUUID } from 'node:crypto';
import { ApiError } from './api-error.js';
import { parseFieldSelector } from './field-selector.js';
import { parseLabelSelector } from './label-selector.js';
import { applyDefaults, initialStatus } from './object-defaults.js';
import { deepCopy, deepEqual, deepFreeze, timestamp } from './object-utils.js';
import { ObjectIndex } from './object-index.js';
import { findResource, groupVersion, refKey, type ResourceDef } from './resource-registry.js';
import type { KubeObject, ResourceRef, StoreEvent } from './types.js';
import { validateObject } from './validation.js';

export type { KubeObject, ObjectMeta, OwnerReference, ResourceRef, StoreEvent, WatchEventType } from './types.js';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';
export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
}
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}
export type StoreListener = (ev: StoreEvent) => void;
export interface StoreSnapshot {
  resourceVersion: string;
  objects: { ref: ResourceRef; object: KubeObject }[];
}

export const CORE_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const FOREGROUND = 'foregroundDeletion';
const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces' };
const GENERATE_NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The in-memory etcd + registry: every object of every resource, one global resourceVersion counter,
 * upstream's create/update/delete semantics (defaults, validation, optimistic concurrency, graceful pod
 * deletion, finalizers, owner-reference garbage collection, namespace termination) and a synchronous
 * event feed. Objects handed out by get/list are copies; objects in events are frozen and shared.
 */
export class Store {
  private readonly index = new ObjectIndex();
  private readonly listeners = new Set<StoreListener>();
  private readonly pending: StoreEvent[] = [];
  private delivering = false;
  private rv = 0;

  constructor() {
    for (const name of CORE_NAMESPACES)
      this.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  /** The resourceVersion of the latest change. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  get(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject | undefined {
    const def = this.def(ref);
    const obj = this.index.get(def, key(def, namespace, name));
    return obj && deepCopy(obj);
  }

  list(ref: ResourceRef, opts: ListOptions = {}): { items: KubeObject[]; resourceVersion: string } {
    const { items, resourceVersion } = this.listShared(ref, opts);
    return { items: items.map((o) => deepCopy(o)), resourceVersion };
  }

  /** Like list, but returns the frozen stored objects themselves (for serialising without copying). */
  listShared(ref: ResourceRef, opts: ListOptions = {}): { items: readonly KubeObject[]; resourceVersion: string } {
    const def = this.def(ref);
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(def, opts.fieldSelector);
    const matching: [string, KubeObject][] = [];
    for (const entry of this.index.entries(def, opts.namespace)) {
      if (labels(entry[1].metadata.labels) && fields(entry[1])) matching.push(entry);
    }
    // Keys are <namespace>/<name>: etcd's order, compared without building strings per comparison.
    matching.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { items: matching.map(([, obj]) => obj), resourceVersion: this.resourceVersion };
  }

  /** The frozen stored objects of `ref` that have an ownerReference to `uid` (a controller's own objects). */
  listOwnedBy(ref: ResourceRef, uid: string | undefined): readonly KubeObject[] {
    const def = this.def(ref);
    return this.index.dependents(uid).flatMap(([d, obj]) => (d === def ? [obj] : []));
  }

  create(ref: ResourceRef, input: KubeObject): KubeObject {
    const def = this.def(ref);
    const obj = deepCopy(input);
    obj.apiVersion = groupVersion(def);
    obj.kind = def.kind;
    obj.metadata = { ...obj.metadata };
    const meta = obj.metadata;
    if (def.namespaced) meta.namespace ||= 'default';
    else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    delete meta.uid;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (def.subresources.includes('status')) delete obj.status;
    const status = initialStatus(def.kind);
    if (status) obj.status = status;
    applyDefaults(obj);
    validateObject(def, obj);
    const name = nameOf(obj);
    if (def.namespaced) this.requireActiveNamespace(def, meta.namespace ?? '', name);
    if (this.index.has(def, key(def, meta.namespace, name))) throw ApiError.alreadyExists(def, name);
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    meta.generation = 1;
    return deepCopy(this.commit(def, undefined, obj));
  }

  update(ref: ResourceRef, input: KubeObject, opts: { subresource?: 'status' | 'scale' } = {}): KubeObject {
    const def = this.def(ref);
    const meta = input.metadata ?? {};
    const name = meta.name ?? '';
    const existing = this.index.get(def, key(def, def.namespaced ? meta.namespace || 'default' : undefined, name));
    if (!existing) throw ApiError.notFound(def, name);
    if (meta.resourceVersion && meta.resourceVersion !== existing.metadata.resourceVersion)
      throw ApiError.conflict(def, name);
    if (opts.subresource === 'scale') {
      const replicas = (input.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || replicas < 0 || !Number.isInteger(replicas)) {
        throw ApiError.invalid(def, name, [
          {
            reason: 'FieldValueInvalid',
            field: 'spec.replicas',
            message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
          },
        ]);
      }
      const next = deepCopy(existing);
      (next.spec as { replicas: number }).replicas = replicas;
      return scaleOf(this.write(def, existing, next));
    }
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = { ...deepCopy(existing), status: deepCopy(input.status) };
    } else {
      next = deepCopy(input);
      next.apiVersion = existing.apiVersion;
      next.kind = existing.kind;
      if (def.subresources.includes('status')) next.status = deepCopy(existing.status);
      applyDefaults(next);
      validateObject(def, next);
    }
    return deepCopy(this.write(def, existing, next));
  }

  mutate(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    fn: (obj: KubeObject) => void,
    opts: { subresource?: 'status' } = {},
  ): KubeObject | undefined {
    const def = this.def(ref);
    const existing = this.index.get(def, key(def, namespace, name));
    if (!existing) return undefined;
    const draft = deepCopy(existing);
    fn(draft);
    const next = opts.subresource === 'status' ? { ...deepCopy(existing), status: draft.status } : draft;
    return deepCopy(this.write(def, existing, next));
  }

  delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject | undefined {
    const def = this.def(ref);
    const existing = this.index.get(def, key(def, namespace, name));
    if (!existing) return undefined;
    const policy = opts.propagationPolicy ?? 'Background';
    if (def.kind === 'Namespace') return deepCopy(this.terminateNamespace(existing));
    if (policy === 'Orphan') this.orphanDependents(existing);
    const grace = this.gracePeriod(def, existing, opts.gracePeriodSeconds);
    const finalizers = new Set(existing.metadata.finalizers ?? []);
    if (policy === 'Foreground' && this.dependents(existing).length) finalizers.add(FOREGROUND);
    if (grace > 0 || finalizers.size) {
      const marked = this.markDeleting(def, existing, grace, [...finalizers]);
      if (finalizers.has(FOREGROUND)) this.deleteDependents(marked);
      return deepCopy(marked);
    }
    return deepCopy(this.remove(def, existing));
  }

  /** Every stored object with its resource, for saving to a snapshot file. */
  snapshot(): StoreSnapshot {
    const objects: StoreSnapshot['objects'] = [];
    for (const [def, object] of this.index.all()) objects.push({ ref: refOf(def), object });
    return { resourceVersion: this.resourceVersion, objects };
  }

  /** Loads objects as they were saved (uids, resourceVersions and all), without events; for start-up only. */
  restore(snapshot: StoreSnapshot): void {
    for (const { ref, object } of snapshot.objects) {
      const def = this.def(ref);
      this.index.set(def, key(def, object.metadata.namespace, nameOf(object)), deepFreeze(deepCopy(object)));
    }
    this.rv = Math.max(this.rv, Number(snapshot.resourceVersion) || 0);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private def(ref: ResourceRef): ResourceDef {
    const def = findResource(ref);
    if (!def) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${refKey(ref)})`);
    return def;
  }

  private requireActiveNamespace(def: ResourceDef, namespace: string, name: string): void {
    const ns = this.index.get(this.def(NAMESPACES), namespace);
    if (!ns)
      throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: 'namespaces',
      });
    if (ns.metadata.deletionTimestamp) {
      throw ApiError.forbidden(
        def,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  /** Stores `next` as the new state of `existing`: no-op when nothing changed, generation bump on spec change. */
  private write(def: ResourceDef, existing: KubeObject, next: KubeObject): KubeObject {
    const em = existing.metadata;
    next.metadata = {
      ...next.metadata,
      name: em.name,
      namespace: em.namespace,
      uid: em.uid,
      creationTimestamp: em.creationTimestamp,
      deletionTimestamp: em.deletionTimestamp,
      deletionGracePeriodSeconds: em.deletionGracePeriodSeconds,
      generation: em.generation,
      resourceVersion: em.resourceVersion,
    };
    if (!def.namespaced) delete next.metadata.namespace;
    if (next.metadata.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
    if (next.metadata.deletionGracePeriodSeconds === undefined) delete next.metadata.deletionGracePeriodSeconds;
    if (deepEqual(next, existing)) return existing;
    if (!deepEqual(specOf(next), specOf(existing))) next.metadata.generation = (em.generation ?? 0) + 1;
    // Upstream's ShouldDeleteDuringUpdate: only an object deleted with grace 0 goes once its last finalizer does.
    if (next.metadata.deletionTimestamp && em.deletionGracePeriodSeconds === 0 && !next.metadata.finalizers?.length)
      return this.remove(def, next, existing);
    return this.commit(def, existing, next);
  }

  private commit(def: ResourceDef, previous: KubeObject | undefined, obj: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    deepFreeze(obj);
    this.index.set(def, key(def, obj.metadata.namespace, nameOf(obj)), obj);
    this.emit({
      type: previous ? 'MODIFIED' : 'ADDED',
      ref: refOf(def),
      object: obj,
      ...(previous ? { previous } : {}),
    });
    return obj;
  }

  /** Removes the object for good, then lets the garbage collector and namespace termination follow up. */
  private remove(def: ResourceDef, obj: KubeObject, previous: KubeObject = obj): KubeObject {
    const gone = deepCopy(obj);
    gone.metadata.resourceVersion = String(++this.rv);
    deepFreeze(gone);
    this.index.delete(def, key(def, gone.metadata.namespace, nameOf(gone)));
    this.emit({ type: 'DELETED', ref: refOf(def), object: gone, previous });
    this.deleteDependents(gone);
    this.releaseForegroundOwners(gone);
    if (gone.metadata.namespace) this.finishNamespaceIfEmpty(gone.metadata.namespace);
    return gone;
  }

  private markDeleting(def: ResourceDef, existing: KubeObject, grace: number, finalizers: string[]): KubeObject {
    const current = existing.metadata.deletionGracePeriodSeconds;
    if (
      existing.metadata.deletionTimestamp &&
      current !== undefined &&
      current <= grace &&
      deepEqual(finalizers, existing.metadata.finalizers ?? [])
    ) {
      return existing;
    }
    const next = deepCopy(existing);
    next.metadata.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
    next.metadata.deletionGracePeriodSeconds = grace;
    if (finalizers.length) next.metadata.finalizers = finalizers;
    return this.commit(def, existing, next);
  }

  /** Pods bound to a node terminate gracefully (the kubelet finishes the delete); everything else goes at once. */
  private gracePeriod(def: ResourceDef, obj: KubeObject, requested: number | undefined): number {
    if (def.kind !== 'Pod') return 0;
    const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(
      0,
      requested ?? obj.metadata.deletionGracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30,
    );
  }

  private dependents(owner: KubeObject): [ResourceDef, KubeObject][] {
    return this.index.dependents(owner.metadata.uid);
  }

  private deleteDependents(owner: KubeObject): void {
    for (const [def, dep] of this.dependents(owner)) {
      if (!dep.metadata.deletionTimestamp) this.delete(def, dep.metadata.namespace, nameOf(dep));
    }
  }

  private orphanDependents(owner: KubeObject): void {
    for (const [def, dep] of this.dependents(owner)) {
      this.mutate(def, dep.metadata.namespace, nameOf(dep), (o) => {
        const refs = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
        if (refs.length) o.metadata.ownerReferences = refs;
        else delete o.metadata.ownerReferences;
      });
    }
  }

  /** An owner deleted in the foreground goes once its last dependent is gone. */
  private releaseForegroundOwners(gone: KubeObject): void {
    for (const ref of gone.metadata.ownerReferences ?? []) {
      const [def, owner] = this.index.byUid(ref.uid) ?? [];
      if (!def || !owner?.metadata.finalizers?.includes(FOREGROUND) || this.dependents(owner).length) continue;
      this.mutate(def, owner.metadata.namespace, nameOf(owner), (o) => {
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND);
      });
    }
  }

  private terminateNamespace(ns: KubeObject): KubeObject {
    const def = this.def(NAMESPACES);
    let current = ns;
    if (!ns.metadata.deletionTimestamp) {
      const next = deepCopy(ns);
      next.metadata.deletionTimestamp = timestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      next.status = { ...(next.status as object), phase: 'Terminating' };
      current = this.commit(def, ns, next);
    }
    const name = nameOf(ns);
    for (const [d, obj] of [...this.index.inNamespace(name)]) {
      if (!obj.metadata.deletionTimestamp) this.delete(d, name, nameOf(obj));
    }
    this.finishNamespaceIfEmpty(name);
    return this.index.get(this.def(NAMESPACES), name) ?? current;
  }

  private finishNamespaceIfEmpty(name: string): void {
    const ns = this.index.get(this.def(NAMESPACES), name);
    if (!ns?.metadata.deletionTimestamp || this.index.hasObjectsIn(name)) return;
    this.remove(this.def(NAMESPACES), ns);
  }

  /** Delivers events in order even when a listener writes to the store while handling one. */
  private emit(ev: StoreEvent): void {
    this.pending.push(ev);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        for (const listener of [...this.listeners]) listener(next);
      }
    } finally {
      this.delivering = false;
    }
  }
}

/** The `autoscaling/v1 Scale` view of a StatefulSet. */
export function scaleOf(sts: KubeObject): KubeObject {
  const spec = (sts.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const status = (sts.status ?? {}) as { replicas?: number };
  const selector = Object.entries(spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: sts.metadata.name,
      namespace: sts.metadata.namespace,
      uid: sts.metadata.uid,
      resourceVersion: sts.metadata.resourceVersion,
      creationTimestamp: sts.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}

function nameOf(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

function key(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${namespace ?? ''}/${name}` : name;
}

function refOf(def: ResourceDef): ResourceRef {
  return { group: def.group, version: def.version, plural: def.plural };
}

function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += GENERATE_NAME_CHARS[Math.floor(Math.random() * GENERATE_NAME_CHARS.length)];
  return out;
}
