import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { FaultInjector } from '../control/fault-injector.js';
import { ApiError } from './api-error.js';
import { parseJsonBody, readBody, readRawBody, sendJson, sendJsonList } from './http-util.js';
import { ListPager } from './list-pager.js';
import { isRecord } from './object-utils.js';
import { decodeProtobufObject, isProtobuf } from './protobuf-body.js';
import { applyConfiguration, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, patchTypeOf } from './patch.js';
import { groupVersion, type ResourceDef } from './resource-registry.js';
import { scaleOf, type DeleteOptions, type PropagationPolicy, type Store } from './store.js';
import { toTable, wantsTable, type IncludeObject } from './table-printer.js';
import type { KubeObject } from './types.js';
import { serveWatch, type WatchSettings } from './watch-stream.js';
import type { WatchCache } from './watch-cache.js';

/** Query parameters upstream decodes into int64 fields of ListOptions / DeleteOptions. */
const INTEGER_PARAMS = ['timeoutSeconds', 'limit', 'gracePeriodSeconds'];

/** Upstream answers 400 when the parameter codec cannot decode a number. */
function requireIntegerParams(query: URLSearchParams): void {
  for (const param of INTEGER_PARAMS) {
    const value = query.get(param);
    if (value !== null && !/^[+-]?\d+$/.test(value))
      throw ApiError.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
}

export interface ResourceRoute {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** CRUD, patch and watch on the stored resources, answering as upstream's generic registry does. */
export class ResourceHandler {
  /** Last configuration each field manager applied, per object uid (for removing fields on re-apply). */
  private readonly applied = new Map<string, unknown>();
  private readonly pager = new ListPager();

  constructor(
    private readonly store: Store,
    private readonly cache: WatchCache,
    private readonly faults: FaultInjector,
    private readonly watchSettings: WatchSettings,
  ) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
    conflict: boolean,
  ): Promise<void> {
    const { def, name, subresource } = route;
    const method = req.method ?? 'GET';
    const isWrite = method !== 'GET' && method !== 'HEAD';
    if (isWrite && def.readOnly) throw ApiError.methodNotAllowed();
    if (isWrite && query.get('dryRun')) throw ApiError.badRequest('dryRun is not supported by kube-sim');
    if (subresource && !['status', 'scale'].includes(subresource)) throw ApiError.methodNotAllowed();
    if (conflict && name && (method === 'PUT' || method === 'PATCH')) throw ApiError.conflict(def, name);
    requireIntegerParams(query);
    const table = wantsTable(req.headers.accept)
      ? ((query.get('includeObject') as IncludeObject | null) ?? 'Metadata')
      : undefined;

    if (!name) {
      if (method === 'GET' && (query.get('watch') === 'true' || query.get('watch') === '1')) {
        serveWatch(
          { store: this.store, cache: this.cache, faults: this.faults, settings: this.watchSettings },
          req,
          res,
          {
            def,
            namespace: route.namespace,
            query,
            ...(table ? { table } : {}),
          },
        );
        return;
      }
      if (method === 'GET') return this.list(res, route, query, table);
      if (method === 'POST') return this.create(req, res, route);
      throw ApiError.methodNotAllowed();
    }
    switch (method) {
      case 'GET':
        return this.get(res, route, table);
      case 'PUT':
        return this.replace(req, res, route);
      case 'PATCH':
        return this.patch(req, res, route, query);
      case 'DELETE':
        if (subresource) throw ApiError.methodNotAllowed();
        return this.delete(req, res, route, query);
      default:
        throw ApiError.methodNotAllowed();
    }
  }

  private async list(
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
    table: IncludeObject | undefined,
  ): Promise<void> {
    const { def, namespace } = route;
    const selected = selectors(query);
    const continueToken = query.get('continue') || undefined;
    if (continueToken && query.get('resourceVersion'))
      throw ApiError.badRequest('specifying resource version is not allowed when using continue');
    const limit = query.get('limit');
    const { items, metadata } = this.pager.page(
      {
        scope: `${groupVersion(def)}/${def.plural} ${namespace ?? ''} ${JSON.stringify(selected)}`,
        limit: limit === null ? undefined : Number(limit),
        continueToken,
        selected: Object.keys(selected).length > 0,
      },
      () => this.store.listShared(def, { ...(namespace !== undefined ? { namespace } : {}), ...selected }),
    );
    if (table) sendJson(res, 200, { ...toTable(def, items, undefined, table), metadata });
    else await sendJsonList(res, { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata }, items);
  }

  private get(res: ServerResponse, route: ResourceRoute, table: IncludeObject | undefined): void {
    const obj = this.require(route);
    if (route.subresource === 'scale') return sendJson(res, 200, scaleOf(obj));
    if (table && !route.subresource) return sendJson(res, 200, toTable(route.def, [obj], undefined, table));
    sendJson(res, 200, obj);
  }

  private async create(req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void> {
    const obj = this.checkBody(route, await readObjectBody(req));
    sendJson(res, 201, this.store.create(route.def, obj));
  }

  private async replace(req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void> {
    const body = await readObjectBody(req);
    if (route.subresource === 'scale') {
      const scale = isRecord(body) ? (body as KubeObject) : ({} as KubeObject);
      const named = { ...scale, metadata: { ...(scale.metadata ?? {}), name: route.name, namespace: route.namespace } };
      return sendJson(res, 200, this.store.update(route.def, named, { subresource: 'scale' }));
    }
    const obj = this.checkBody(route, body);
    if (obj.metadata.name !== route.name) {
      throw ApiError.badRequest(
        `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${route.name})`,
      );
    }
    const sub = route.subresource === 'status' ? { subresource: 'status' as const } : {};
    sendJson(res, 200, this.store.update(route.def, obj, sub));
  }

  private async patch(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<void> {
    const { def, namespace, subresource } = route;
    const name = route.name ?? '';
    const type = patchTypeOf(req.headers['content-type']);
    const text = await readBody(req);
    const patch = type === 'apply' ? parseApplyBody(text) : parseJsonBody(text);
    const manager = query.get('fieldManager');
    if (type === 'apply' && !manager)
      throw ApiError.badRequest(
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    const existing = this.store.get(def, namespace, name);
    if (!existing && type === 'apply' && !subresource) {
      const obj = this.checkBody(route, patch);
      const created = this.store.create(def, { ...obj, metadata: { ...obj.metadata, name, namespace } });
      this.applied.set(`${created.metadata.uid}/${manager}`, patch);
      return sendJson(res, 201, created);
    }
    if (!existing) throw ApiError.notFound(def, name);
    const base: unknown = subresource === 'scale' ? scaleOf(existing) : existing;
    let patched: unknown;
    switch (type) {
      case 'json':
        patched = applyJsonPatch(base, patch);
        break;
      case 'merge':
        patched = applyMergePatch(base, patch);
        break;
      case 'strategic':
        patched = applyStrategicMergePatch(base, patch);
        break;
      case 'apply': {
        const key = `${existing.metadata.uid}/${manager}`;
        patched = applyConfiguration(base, this.applied.get(key), patch);
        this.applied.set(key, patch);
        break;
      }
    }
    if (!isRecord(patched) || !isRecord(patched.metadata))
      throw new ApiError(422, 'Invalid', 'the patched object is not a valid object');
    const obj = { ...(patched as KubeObject), metadata: { ...(patched as KubeObject).metadata, name, namespace } };
    const sub =
      subresource === 'status' || subresource === 'scale' ? { subresource: subresource as 'status' | 'scale' } : {};
    sendJson(res, 200, this.store.update(def, obj, sub));
  }

  private async delete(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<void> {
    const { def, namespace } = route;
    const name = route.name ?? '';
    const text = await readBody(req);
    const body = text.trim() ? parseJsonBody(text) : {};
    const opts = isRecord(body) ? body : {};
    const existing = this.require(route);
    const pre = isRecord(opts.preconditions) ? opts.preconditions : {};
    for (const [field, actual] of [
      ['uid', existing.metadata.uid],
      ['resourceVersion', existing.metadata.resourceVersion],
    ] as const) {
      const expected = pre[field];
      if (expected !== undefined && expected !== null && expected !== actual) {
        throw new ApiError(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${def.group ? `${def.plural}.${def.group}` : def.plural} "${name}": Precondition failed: ${field === 'uid' ? 'UID' : 'ResourceVersion'} in precondition: ${String(expected)}, ${field === 'uid' ? 'UID' : 'ResourceVersion'} in object meta: ${actual}`,
          { name, ...(def.group ? { group: def.group } : {}), kind: def.plural },
        );
      }
    }
    const deleteOptions: DeleteOptions = {};
    const policy =
      query.get('propagationPolicy') ??
      opts.propagationPolicy ??
      (opts.orphanDependents === true ? 'Orphan' : undefined);
    if (policy !== undefined) {
      if (!['Foreground', 'Background', 'Orphan'].includes(String(policy)))
        throw ApiError.badRequest(`unsupported propagationPolicy: ${String(policy)}`);
      deleteOptions.propagationPolicy = policy as PropagationPolicy;
    }
    const grace = query.get('gracePeriodSeconds') ?? opts.gracePeriodSeconds;
    if (grace !== undefined && grace !== null) deleteOptions.gracePeriodSeconds = Number(grace);
    const result = this.store.delete(def, namespace, name, deleteOptions) ?? existing;
    const stillThere = this.store.get(def, namespace, name) !== undefined;
    if (stillThere || def.kind === 'Pod' || def.kind === 'Namespace') return sendJson(res, 200, result);
    sendJson(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: result.metadata.uid },
    });
  }

  private require(route: ResourceRoute): KubeObject {
    const name = route.name ?? '';
    const obj = this.store.get(route.def, route.namespace, name);
    if (!obj) throw ApiError.notFound(route.def, name);
    return obj;
  }

  /** The body must be an object of this resource's kind, in the URL's namespace. */
  private checkBody(route: ResourceRoute, body: unknown): KubeObject {
    const { def, namespace } = route;
    if (!isRecord(body))
      throw ApiError.badRequest(
        `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the body is not a JSON object`,
      );
    const gv = groupVersion(def);
    if (body.apiVersion !== undefined && body.apiVersion !== gv) {
      throw ApiError.badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`,
      );
    }
    if (body.kind !== undefined && body.kind !== def.kind) {
      throw ApiError.badRequest(
        `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the object provided is unrecognized (must be of type ${def.kind})`,
      );
    }
    const metadata = isRecord(body.metadata) ? { ...body.metadata } : {};
    if (def.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== namespace) {
        throw ApiError.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = namespace;
    }
    return { ...body, apiVersion: gv, kind: def.kind, metadata } as KubeObject;
  }
}

function selectors(query: URLSearchParams): { labelSelector?: string; fieldSelector?: string } {
  const labelSelector = query.get('labelSelector');
  const fieldSelector = query.get('fieldSelector');
  return { ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) };
}

/** A create/update body: JSON, or protobuf as kubectl's typed clients send it. */
async function readObjectBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readRawBody(req);
  return isProtobuf(req.headers['content-type']) ? decodeProtobufObject(raw) : parseJsonBody(raw.toString('utf8'));
}

function parseApplyBody(text: string): unknown {
  try {
    return text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw ApiError.badRequest(`error decoding YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
}
