import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { FaultInjector } from '../control/fault-injector.js';
import { ApiError } from './api-error.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, VERSION_INFO } from './discovery.js';
import { sendError, sendJson, sleep } from './http-util.js';
import { openApiGroupVersion, openApiRoot } from './openapi.js';
import { parseResourcePath, pathSegments } from './request-path.js';
import { groupVersions } from './resource-registry.js';
import { ResourceHandler, type ResourceRoute } from './resource-handler.js';
import type { Store } from './store.js';
import { WatchCache } from './watch-cache.js';
import type { WatchSettings } from './watch-stream.js';

export interface SubresourceTarget {
  namespace: string;
  name: string;
  query: URLSearchParams;
}
export type SubresourceHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  target: SubresourceTarget,
) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, target: SubresourceTarget) => void;
/** A handler for a path prefix outside the Kubernetes API (the control API); `path` is what follows the prefix. */
export type MountHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string[],
  query: URLSearchParams,
) => void | Promise<void>;

export interface ApiServerOptions {
  store: Store;
  faults?: FaultInjector;
  /** How many recent events a watch can resume from before getting 410 Expired. */
  watchWindow?: number;
  bookmarkIntervalMs?: number;
  watchTimeoutSeconds?: number;
}

const HEALTH = new Set(['healthz', 'livez', 'readyz']);

/** The Kubernetes API over HTTP: discovery, OpenAPI, resources, watch, and the extension points the cluster registers. */
export class ApiServer {
  readonly store: Store;
  readonly faults: FaultInjector;
  readonly watchCache: WatchCache;
  private readonly http: Server;
  private readonly resources: ResourceHandler;
  private readonly subresources = new Map<string, SubresourceHandler>();
  private readonly upgrades = new Map<string, UpgradeHandler>();
  private readonly mounts = new Map<string, MountHandler>();
  private address = '';

  constructor(opts: ApiServerOptions) {
    this.store = opts.store;
    this.faults = opts.faults ?? new FaultInjector();
    this.watchCache = new WatchCache(opts.store, opts.watchWindow ?? 10_000);
    const settings: WatchSettings = {
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 15_000,
      defaultTimeoutSeconds: opts.watchTimeoutSeconds ?? 300,
    };
    this.resources = new ResourceHandler(this.store, this.watchCache, this.faults, settings);
    this.http = createServer((req, res) => {
      this.serve(req, res).catch((err: unknown) => sendError(res, err));
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** The base URL, once listening. */
  get url(): string {
    return this.address;
  }

  registerSubresource(plural: 'pods', sub: 'log' | 'exec', handler: SubresourceHandler): void {
    this.subresources.set(`${plural}/${sub}`, handler);
  }

  registerUpgrade(plural: 'pods', sub: 'exec', handler: UpgradeHandler): void {
    this.upgrades.set(`${plural}/${sub}`, handler);
  }

  /** Serves `/<prefix>/…` with `handler` (e.g. the `_sim` control API). */
  mount(prefix: string, handler: MountHandler): void {
    this.mounts.set(prefix, handler);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const addr = this.http.address() as AddressInfo;
    this.address = `http://${addr.address}:${addr.port}`;
    return this.address;
  }

  async close(): Promise<void> {
    this.watchCache.close();
    if (!this.http.listening) return;
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = pathSegments(url.pathname);
    const mounted = this.mounts.get(segments[0] ?? '');
    if (mounted) return mounted(req, res, segments.slice(1), url.searchParams);
    if (segments.length === 0)
      return sendJson(res, 200, {
        paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v3', '/readyz', '/version'],
      });
    if (segments.length === 1 && HEALTH.has(segments[0] ?? '')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const discovery = this.discovery(segments);
    if (discovery) return sendJson(res, 200, discovery);

    const route = parseResourcePath(segments);
    if (!route) throw notFound();
    const fault = this.faults.decide(req.method !== 'GET');
    await sleep(fault.delayMs);
    if (fault.error) throw fault.error;
    const custom = route.subresource && this.subresources.get(`${route.def.plural}/${route.subresource}`);
    if (custom) return custom(req, res, this.target(route, url.searchParams));
    if (route.subresource === 'exec') throw ApiError.badRequest('Upgrade request required');
    if (route.subresource === 'log') throw ApiError.badRequest('pod logs are not available');
    return this.resources.handle(req, res, route, url.searchParams, fault.conflict);
  }

  private discovery(s: string[]): unknown {
    const path = s.join('/');
    if (path === 'version') return VERSION_INFO;
    if (path === 'api') return apiVersions(this.address.replace(/^http:\/\//, ''));
    if (path === 'apis') return apiGroupList();
    if (path === 'openapi/v3') return openApiRoot();
    if (s[0] === 'openapi' && s[1] === 'v3') return openApiGroupVersion(s.slice(2).join('/'));
    if (s[0] === 'api' && s.length === 2) return apiResourceList('', s[1] ?? '');
    if (s[0] === 'apis' && s.length === 3) return apiResourceList(s[1] ?? '', s[2] ?? '');
    if (s[0] === 'apis' && s.length === 2) {
      const gv = groupVersions().find((g) => g.group === s[1]);
      return gv && apiGroup(gv.group, gv.version);
    }
    return undefined;
  }

  private target(route: ResourceRoute, query: URLSearchParams): SubresourceTarget {
    return { namespace: route.namespace ?? '', name: route.name ?? '', query };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = parseResourcePath(pathSegments(url.pathname));
    const handler = route?.subresource && this.upgrades.get(`${route.def.plural}/${route.subresource}`);
    if (!route || !handler) {
      writeRawError(socket, route ? ApiError.badRequest('this endpoint does not support upgrades') : notFound());
      return;
    }
    const fault = this.faults.decide(false);
    void sleep(fault.delayMs).then(() => {
      if (fault.error) writeRawError(socket, fault.error);
      else handler(req, socket, head, this.target(route, url.searchParams));
    });
  }
}

function notFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  });
}

function writeRawError(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  socket.end(
    `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
