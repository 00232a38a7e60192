import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/api-error.js';
import type { MountHandler } from '../api/api-server.js';
import { parseJsonBody, readBody, sendJson } from '../api/http-util.js';
import { isRecord } from '../api/object-utils.js';
import type { ClusterControl } from '../cluster/index.js';
import type { FaultInjector, FaultSettings } from './fault-injector.js';

/** Everything a test or demo can steer, in-process; the `/_sim/` HTTP API exposes the same. */
export interface SimControl extends ClusterControl {
  readonly faults: FaultInjector;
  /** Cuts every open watch stream (cleanly, or `abrupt`ly as a connection reset); returns how many. */
  cutWatches(opts?: { abrupt?: boolean }): number;
}

export function createSimControl(faults: FaultInjector, cluster: ClusterControl): SimControl {
  return {
    faults,
    cutWatches: (opts) => faults.cutWatches(opts),
    crashPod: (ns, name, opts) => cluster.crashPod(ns, name, opts),
    setStuckTerminating: (ns, name, stuck) => cluster.setStuckTerminating(ns, name, stuck),
    cutStreams: (kind, ns, name) => cluster.cutStreams(kind, ns, name),
    countStreams: (kind, ns) => cluster.countStreams(kind, ns),
    setCapacity: (capacity) => cluster.setCapacity(capacity),
    addPlayer: (ns, pod, player) => cluster.addPlayer(ns, pod, player),
    removePlayer: (ns, pod, player) => cluster.removePlayer(ns, pod, player),
    writeLog: (ns, pod, lines) => cluster.writeLog(ns, pod, lines),
  };
}

/**
 * The control API, JSON over HTTP under `/_sim/`:
 *   GET|PUT|DELETE /_sim/faults                  read, change (partial FaultSettings), reset
 *   POST /_sim/watches/cut {abrupt?}              → {cut}
 *   POST /_sim/streams/cut {kind, namespace?, name?} → {cut};  GET /_sim/streams/<log|exec> → {open}
 *   PUT  /_sim/capacity {cpu?, memory?, pods?}
 *   POST /_sim/pods/<ns>/<name>/crash {oomKill?}
 *   PUT  /_sim/pods/<ns>/<name>/stuck-terminating {stuck}
 *   POST /_sim/pods/<ns>/<name>/players {player};  DELETE /_sim/pods/<ns>/<name>/players/<player>
 *   POST /_sim/pods/<ns>/<name>/logs {lines}      → {written}
 */
export function controlApi(control: SimControl): MountHandler {
  return async (req: IncomingMessage, res: ServerResponse, path: string[]) => {
    const method = req.method ?? 'GET';
    const text = method === 'GET' || method === 'DELETE' ? '' : await readBody(req);
    const body = text.trim() ? parseJsonBody(text) : {};
    if (!isRecord(body)) throw ApiError.badRequest('the body must be a JSON object');
    const ok = (result: unknown = { ok: true }) => sendJson(res, 200, result);
    const [first, ns = '', name = '', action, extra = ''] = path;
    const route = `${method} ${first === 'pods' ? ['pods', ns && '*', name && '*', action, extra && '*'].filter(Boolean).join('/') : path.join('/')}`;
    switch (route) {
      case 'GET faults':
        return ok(control.faults.settings);
      case 'PUT faults':
        return ok(control.faults.set(body as Partial<FaultSettings>));
      case 'DELETE faults':
        return ok(control.faults.reset());
      case 'POST watches/cut':
        return ok({ cut: control.cutWatches({ abrupt: body.abrupt === true }) });
      case 'POST streams/cut': {
        if (body.kind !== 'log' && body.kind !== 'exec') throw ApiError.badRequest('kind must be "log" or "exec"');
        return ok({ cut: control.cutStreams(body.kind, optionalString(body.namespace), optionalString(body.name)) });
      }
      case 'GET streams/log':
      case 'GET streams/exec':
        return ok({ open: control.countStreams(path[1] === 'log' ? 'log' : 'exec') });
      case 'PUT capacity':
        control.setCapacity(body as Parameters<ClusterControl['setCapacity']>[0]);
        return ok();
      case 'POST pods/*/*/crash':
        control.crashPod(ns, name, { oomKill: body.oomKill === true });
        return ok();
      case 'PUT pods/*/*/stuck-terminating':
        control.setStuckTerminating(ns, name, body.stuck !== false);
        return ok();
      case 'POST pods/*/*/players':
        control.addPlayer(ns, name, requiredString(body.player, 'player'));
        return ok();
      case 'POST pods/*/*/logs':
        return ok({ written: control.writeLog(ns, name, logLines(body.lines)) });
      case 'DELETE pods/*/*/players/*':
        control.removePlayer(ns, name, extra);
        return ok();
      default:
        throw new ApiError(404, 'NotFound', `no control endpoint ${method} /_sim/${path.join('/')}`);
    }
  };
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function requiredString(v: unknown, field: string): string {
  if (typeof v !== 'string' || !v) throw ApiError.badRequest(`${field} is required`);
  return v;
}

const MAX_LOG_LINES = 10_000;

/** Whole lines only: a newline inside one would make two. */
function logLines(v: unknown): string[] {
  if (!Array.isArray(v) || v.length > MAX_LOG_LINES || !v.every((l) => typeof l === 'string' && !/[\r\n]/.test(l)))
    throw ApiError.badRequest(`lines must be an array of at most ${MAX_LOG_LINES} strings without line breaks`);
  return v as string[];
}
