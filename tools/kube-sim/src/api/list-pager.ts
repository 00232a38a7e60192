// `limit` / `continue` on list, as upstream pages large collections (client-go and informers ask for 500).
// Upstream serves every page from etcd at the first page's resourceVersion; the Store keeps only the
// latest version of each object, so the pager keeps the first page's result instead: its frozen, shared
// objects cost one array slot each. A token whose snapshot is gone gets upstream's 410 Expired.
import { ApiError } from './api-error.js';
import type { KubeObject } from './types.js';

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ListPage {
  items: readonly KubeObject[];
  metadata: ListMeta;
}

export interface PageRequest {
  /** Identifies the collection and its selectors: a token only continues the list it came from. */
  scope: string;
  limit: number | undefined;
  continueToken: string | undefined;
  /** Selected lists get no remainingItemCount upstream (it would cost a full scan there). */
  selected: boolean;
}

interface Snapshot {
  items: readonly KubeObject[];
  keys: string[];
  resourceVersion: string;
  expiresAt: number;
}

interface Token {
  v: string;
  rv: number;
  start: string;
}

const TOKEN_VERSION = 'meta.k8s.io/v1';
/** Upstream's etcd compaction runs every 5 minutes: a continue token lives about as long. */
const SNAPSHOT_TTL_MS = 5 * 60_000;
/** Paginated lists in progress at once; the oldest is dropped beyond this (its next page gets 410). */
const MAX_SNAPSHOTS = 32;

export class ListPager {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * One page of a list. `list` gives the whole, sorted, current result; it is only called for an
   * unpaginated list or a first page.
   */
  page(request: PageRequest, list: () => { items: readonly KubeObject[]; resourceVersion: string }): ListPage {
    const limit = request.limit !== undefined && request.limit > 0 ? request.limit : undefined;
    if (request.continueToken !== undefined) {
      const token = decodeToken(request.continueToken);
      return this.slice(request, this.snapshot(request.scope, token), token.start, limit);
    }
    const { items, resourceVersion } = list();
    if (limit === undefined || items.length <= limit) return { items, metadata: { resourceVersion } };
    this.evict(1);
    const snapshot: Snapshot = {
      items,
      keys: items.map(keyOf),
      resourceVersion,
      expiresAt: this.now() + SNAPSHOT_TTL_MS,
    };
    this.snapshots.set(snapshotKey(request.scope, resourceVersion), snapshot);
    return this.slice(request, snapshot, '', limit);
  }

  private slice(request: PageRequest, snapshot: Snapshot, start: string, limit: number | undefined): ListPage {
    const from = lowerBound(snapshot.keys, start);
    const to = limit === undefined ? snapshot.items.length : Math.min(snapshot.items.length, from + limit);
    const remaining = snapshot.items.length - to;
    const metadata: ListMeta = { resourceVersion: snapshot.resourceVersion };
    if (remaining > 0) {
      metadata.continue = encodeToken({
        v: TOKEN_VERSION,
        rv: Number(snapshot.resourceVersion),
        // Like upstream: the next page starts just after the last key returned.
        start: `${snapshot.keys[to - 1] ?? ''}\u0000`,
      });
      if (!request.selected) metadata.remainingItemCount = remaining;
    }
    return { items: snapshot.items.slice(from, to), metadata };
  }

  private snapshot(scope: string, token: Token): Snapshot {
    this.evict();
    const snapshot = this.snapshots.get(snapshotKey(scope, String(token.rv)));
    if (!snapshot)
      throw ApiError.expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    return snapshot;
  }

  /** Drops expired snapshots, then the oldest ones until `room` more fit. */
  private evict(room = 0): void {
    const now = this.now();
    for (const [key, snapshot] of this.snapshots) if (snapshot.expiresAt <= now) this.snapshots.delete(key);
    // Maps iterate in insertion order: the first keys are the oldest snapshots.
    const excess = this.snapshots.size + room - MAX_SNAPSHOTS;
    for (const key of [...this.snapshots.keys()].slice(0, Math.max(0, excess))) this.snapshots.delete(key);
  }
}

function snapshotKey(scope: string, resourceVersion: string): string {
  return `${resourceVersion} ${scope}`;
}

/** The Store's key order: namespace, then name (etcd's `/registry/<resource>/<namespace>/<name>`). */
function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** The index of the first key >= `start` in sorted `keys`. */
function lowerBound(keys: readonly string[], start: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] ?? '') < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

/** Upstream's messages for a token it cannot decode (400, not 410: the client sent garbage). */
function decodeToken(text: string): Token {
  const invalid = (why: string) => ApiError.badRequest(`invalid continue token: continue key is not valid: ${why}`);
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (e) {
    throw invalid(e instanceof Error ? e.message : String(e));
  }
  const { v, rv, start } = (token ?? {}) as Partial<Token>;
  if (v !== TOKEN_VERSION) throw invalid('server does not recognize this encoded key');
  if (typeof rv !== 'number' || !Number.isInteger(rv) || rv <= 0 || typeof start !== 'string')
    throw invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  return { v, rv, start };
}
