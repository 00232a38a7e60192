// The four PATCH bodies Kubernetes accepts: JSON Patch, JSON merge patch, strategic merge patch, and apply.
import { ApiError } from './api-error.js';
import { isRecord } from './object-utils.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = CONTENT_TYPES[(contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''];
  if (!type) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${Object.keys(CONTENT_TYPES).join(', ')}`,
    );
  }
  return type;
}

type Json = unknown;
type Rec = Record<string, unknown>;

/** RFC 6902. */
export function applyJsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw ApiError.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let root = structuredClone(doc);
  for (const raw of ops) {
    if (!isRecord(raw)) throw ApiError.badRequest('invalid JSON patch operation');
    const op = String(raw.op);
    const path = pointer(String(raw.path ?? ''));
    switch (op) {
      case 'add':
        root = put(root, path, structuredClone(raw.value), true);
        break;
      case 'replace':
        lookup(root, path);
        root = put(root, path, structuredClone(raw.value), false);
        break;
      case 'remove':
        root = removeAt(root, path);
        break;
      case 'move': {
        const from = pointer(String(raw.from ?? ''));
        const value = lookup(root, from);
        root = put(removeAt(root, from), path, value, true);
        break;
      }
      case 'copy':
        root = put(root, path, structuredClone(lookup(root, pointer(String(raw.from ?? '')))), true);
        break;
      case 'test':
        if (JSON.stringify(lookup(root, path)) !== JSON.stringify(raw.value))
          throw patchFailed(`testing value ${raw.path} failed`);
        break;
      default:
        throw patchFailed(`Unexpected kind: ${op}`);
    }
  }
  return root;
}

function patchFailed(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchFailed(`invalid JSON pointer: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function lookup(root: Json, path: string[]): Json {
  let cur = root;
  for (const p of path) {
    if (Array.isArray(cur) && /^\d+$/.test(p) && Number(p) < cur.length) cur = cur[Number(p)];
    else if (isRecord(cur) && Object.hasOwn(cur, p)) cur = cur[p];
    else throw patchFailed(`doc is missing path: /${path.join('/')}`);
  }
  return cur;
}

function put(root: Json, path: string[], value: Json, insert: boolean): Json {
  if (!path.length) return value;
  const parent = lookup(root, path.slice(0, -1));
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length)
      throw patchFailed(`array index out of bounds: ${last}`);
    parent.splice(index, insert ? 0 : 1, value);
  } else if (isRecord(parent)) {
    parent[last] = value;
  } else {
    throw patchFailed(`doc is missing path: /${path.join('/')}`);
  }
  return root;
}

function removeAt(root: Json, path: string[]): Json {
  lookup(root, path);
  const parent = lookup(root, path.slice(0, -1));
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else Reflect.deleteProperty(parent as Rec, last);
  return root;
}

/** RFC 7386. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Rec = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) Reflect.deleteProperty(out, k);
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * Merge keys of upstream's core/apps types, by list field name; lists not named here are atomic.
 * `ports` depends on where it sits: containers use containerPort, services use port.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, parent: Rec): string | undefined {
  if (field === 'ports') return 'name' in parent || 'image' in parent ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

/** Strategic merge patch, including the directives kubectl sends ($patch, $retainKeys, $setElementOrder, $deleteFromPrimitiveList). */
export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isRecord(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: Rec = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((x) => !drop.has(JSON.stringify(x)));
      continue;
    }
    if (v === null || (isRecord(v) && v.$patch === 'delete')) {
      Reflect.deleteProperty(out, k);
    } else if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v, out);
    } else if (isRecord(v)) {
      out[k] = applyStrategicMergePatch(out[k], v);
    } else {
      out[k] = v;
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.map(String));
    for (const k of Object.keys(out)) if (!keep.has(k)) Reflect.deleteProperty(out, k);
  }
  return out;
}

function mergeList(field: string, current: Json, patch: unknown[], parent: Rec): unknown[] {
  const base = Array.isArray(current) ? current : [];
  if (MERGED_PRIMITIVE_LISTS.has(field))
    return [...base, ...patch.filter((x) => !base.some((b) => JSON.stringify(b) === JSON.stringify(x)))];
  const key = mergeKeyFor(field, parent);
  if (!key || !patch.every(isRecord)) return structuredClone(patch.filter((x) => !(isRecord(x) && x.$patch)));
  const out = base.map((x) => x);
  for (const item of patch as Rec[]) {
    const index = out.findIndex((x) => isRecord(x) && x[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) {
      out[index] = applyStrategicMergePatch(out[index], item);
    } else {
      out.push(applyStrategicMergePatch({}, item));
    }
  }
  return out;
}

/**
 * Server-side apply, simplified: the applied configuration is merged strategically into the live
 * object, and fields this manager applied last time but no longer applies are removed.
 */
export function applyConfiguration(live: Json, previous: Json, applied: Json): Json {
  return applyStrategicMergePatch(applyStrategicMergePatch(live, removedFields(previous, applied, undefined)), applied);
}

/** A strategic patch deleting what `previous` set and `next` no longer sets. */
function removedFields(previous: Json, next: Json, parent: Rec | undefined): Rec {
  const out: Rec = {};
  if (!isRecord(previous)) return out;
  const nextRec = isRecord(next) ? next : {};
  for (const [k, v] of Object.entries(previous)) {
    if (!(k in nextRec)) {
      out[k] = null;
    } else if (isRecord(v) && isRecord(nextRec[k])) {
      const inner = removedFields(v, nextRec[k], previous);
      if (Object.keys(inner).length) out[k] = inner;
    } else if (Array.isArray(v) && Array.isArray(nextRec[k])) {
      const key = mergeKeyFor(k, parent ?? previous);
      if (!key) continue;
      const kept = new Set((nextRec[k] as unknown[]).map((x) => (isRecord(x) ? x[key] : undefined)));
      const gone = v
        .filter((x) => isRecord(x) && !kept.has(x[key]))
        .map((x) => ({ [key]: (x as Rec)[key], $patch: 'delete' }));
      if (gone.length) out[k] = gone;
    }
  }
  return out;
}
