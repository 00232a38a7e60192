import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from '../control/fault-injector.js';
import { ApiError } from './api-error.js';
import { parseFieldSelector } from './field-selector.js';
import { parseLabelSelector } from './label-selector.js';
import { groupVersion, type ResourceDef } from './resource-registry.js';
import type { Store } from './store.js';
import { toTable, type IncludeObject } from './table-printer.js';
import type { KubeObject, StoreEvent } from './types.js';
import type { WatchCache } from './watch-cache.js';

export interface WatchSettings {
  bookmarkIntervalMs: number;
  /** Server-side cap on a watch's life when the client does not ask for a timeout. */
  defaultTimeoutSeconds: number;
}

export interface WatchTarget {
  def: ResourceDef;
  namespace: string | undefined;
  query: URLSearchParams;
  /** Set when the client asked for Tables (kubectl get -w). */
  table?: IncludeObject;
}

type OutType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Serves one `?watch=true` request: replay or initial state, then live events, bookmarks, timeout. */
export function serveWatch(
  deps: { store: Store; cache: WatchCache; faults: FaultInjector; settings: WatchSettings },
  req: IncomingMessage,
  res: ServerResponse,
  target: WatchTarget,
): void {
  const { def, namespace, query, table } = target;
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(def, query.get('fieldSelector') ?? undefined);
  const matches = (obj: KubeObject | undefined): boolean =>
    !!obj &&
    (!def.namespaced || namespace === undefined || obj.metadata.namespace === namespace) &&
    labels(obj.metadata.labels) &&
    fields(obj);

  const rvParam = query.get('resourceVersion') ?? '';
  const fromRv = rvParam === '' || rvParam === '0' ? undefined : Number(rvParam);
  if (fromRv !== undefined && !Number.isInteger(fromRv))
    throw ApiError.badRequest(`invalid resource version: ${rvParam}`);
  const replay = fromRv === undefined ? undefined : deps.cache.since(fromRv);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  let columnsSent = false;
  const write = (type: OutType, object: KubeObject) => {
    let out = object;
    if (table && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
      out = toTable(def, [object], undefined, table, !columnsSent);
      columnsSent = true;
    }
    res.write(`${JSON.stringify({ type, object: out })}\n`);
  };

  if (replay === 'expired') {
    const status = ApiError.expired(`too old resource version: ${fromRv} (${deps.cache.oldestResumable})`).toStatus();
    write('ERROR', status as KubeObject);
    res.end();
    return;
  }

  const relevant = (ev: StoreEvent) =>
    ev.ref.group === def.group && ev.ref.version === def.version && ev.ref.plural === def.plural;
  const deliver = (ev: StoreEvent) => {
    if (!relevant(ev)) return;
    const now = matches(ev.object);
    const before = ev.type !== 'ADDED' && matches(ev.previous);
    if (ev.type === 'DELETED') {
      if (before || now) write('DELETED', ev.object);
    } else if (now) {
      write(before || ev.type === 'ADDED' ? ev.type : 'ADDED', ev.object);
    } else if (before) {
      write('DELETED', ev.object);
    }
  };

  if (replay) replay.forEach(deliver);
  else for (const obj of deps.store.listShared(def, { namespace }).items) if (matches(obj)) write('ADDED', obj);
  const unsubscribe = deps.cache.subscribe(deliver);

  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? deps.settings.defaultTimeoutSeconds);
  const timer = setTimeout(() => finish(false), Math.max(0, timeoutSeconds) * 1000);
  const bookmarks =
    query.get('allowWatchBookmarks') === 'true'
      ? setInterval(() => {
          write('BOOKMARK', {
            kind: def.kind,
            apiVersion: groupVersion(def),
            metadata: { resourceVersion: deps.store.resourceVersion },
          });
        }, deps.settings.bookmarkIntervalMs)
      : undefined;
  const untrack = deps.faults.trackWatch(finish);
  const cleanup = () => {
    unsubscribe();
    untrack();
    clearTimeout(timer);
    clearInterval(bookmarks);
  };
  // Unsubscribe before ending: an event in the same tick must not be written after the end.
  function finish(abrupt: boolean): void {
    cleanup();
    if (abrupt) res.destroy();
    else res.end();
  }
  res.on('close', cleanup);
  req.on('close', cleanup);
}
