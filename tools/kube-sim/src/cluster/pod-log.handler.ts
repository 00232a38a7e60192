// GET pods/{name}/log as the kubelet serves it: tailLines, sinceSeconds/sinceTime,
// timestamps, previous, limitBytes, container, and follow until the container stops.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/api-error.js';
import type { Kubelet } from './kubelet.js';
import { formatLogTimestamp, type LogBuffer, type LogLine } from './log-buffer.js';
import { podNotFound, sendStatus } from './http-status.js';
import type { ContainerRecord } from './pod-status.js';
import type { PodWorker } from './pod-worker.js';
import type { StreamRegistry } from './stream-registry.js';

interface LogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  since?: number; // epoch ms
  limitBytes?: number;
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === 'true' || value === '1';
}

function positiveInt(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw ApiError.badRequest(`${name}: Invalid value: ${JSON.stringify(value)}: must be greater than or equal to 0`);
  return n;
}

/** RFC 3339, as PodLogOptions decodes it. */
function parseSinceTime(value: string): number {
  const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time))
    throw ApiError.badRequest(
      `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`,
    );
  return time;
}

function parseQuery(query: URLSearchParams): LogQuery {
  const sinceSeconds = positiveInt(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime)
    throw ApiError.badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  const since =
    sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTime ? parseSinceTime(sinceTime) : undefined;
  return {
    follow: flag(query, 'follow'),
    previous: flag(query, 'previous'),
    timestamps: flag(query, 'timestamps'),
    tailLines: positiveInt(query, 'tailLines'),
    since,
    limitBytes: positiveInt(query, 'limitBytes'),
  };
}

/** The container a log or exec request means: the named one, or the only one. */
export function selectContainer(worker: PodWorker, requested: string | null): ContainerRecord {
  const records = worker.records;
  if (!requested) {
    const [only, ...others] = records;
    if (only && others.length === 0) return only;
    throw ApiError.badRequest(
      `a container name must be specified for pod ${worker.name}, choose one of: [${records.map((r) => r.spec.name).join(' ')}]`,
    );
  }
  const record = records.find((r) => r.spec.name === requested);
  if (!record) throw ApiError.badRequest(`container ${requested} is not valid for pod ${worker.name}`);
  return record;
}

function bufferFor(worker: PodWorker, record: ContainerRecord, previous: boolean): LogBuffer {
  if (previous) {
    if (!record.previousLogs)
      throw ApiError.badRequest(
        `previous terminated container "${record.spec.name}" in pod "${worker.name}" not found`,
      );
    return record.previousLogs;
  }
  if (!record.instance) {
    const reason = 'waiting' in record.state ? record.state.waiting.reason : 'ContainerCreating';
    throw ApiError.badRequest(`container "${record.spec.name}" in pod "${worker.name}" is waiting to start: ${reason}`);
  }
  return record.instance.logs;
}

export function podLogHandler(kubelet: Kubelet, streams: StreamRegistry) {
  return (
    _req: IncomingMessage,
    res: ServerResponse,
    target: { namespace: string; name: string; query: URLSearchParams },
  ): void => {
    try {
      const worker = kubelet.worker(target.namespace, target.name);
      if (!worker) throw podNotFound(target.name);
      const query = parseQuery(target.query);
      const record = selectContainer(worker, target.query.get('container'));
      streamLog(res, bufferFor(worker, record, query.previous), query, streams, target);
    } catch (error) {
      if (error instanceof ApiError) sendStatus(res, error);
      else throw error;
    }
  };
}

function streamLog(
  res: ServerResponse,
  buffer: LogBuffer,
  query: LogQuery,
  streams: StreamRegistry,
  target: { namespace: string; name: string },
): void {
  let remaining = query.limitBytes ?? Infinity;
  const format = (line: LogLine) =>
    query.timestamps ? `${formatLogTimestamp(line.time)} ${line.text}\n` : `${line.text}\n`;
  /** Writes within limitBytes; false once the limit is reached. */
  const write = (text: string): boolean => {
    const length = Buffer.byteLength(text);
    if (length <= remaining) {
      res.write(text); // a string: the socket encodes it into its write, no Buffer of its own per line
      remaining -= length;
    } else {
      if (remaining > 0) res.write(Buffer.from(text).subarray(0, remaining));
      remaining = 0;
    }
    return remaining > 0;
  };
  let lines = buffer.lines().filter((l) => query.since === undefined || l.time >= query.since);
  if (query.tailLines !== undefined) lines = query.tailLines === 0 ? [] : lines.slice(-query.tailLines);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders(); // a follow of a quiet container must not leave the client waiting for headers
  // The backlog as one chunk: a full buffer holds tens of thousands of lines.
  const open = lines.length === 0 || write(lines.map(format).join(''));
  if (!query.follow || !open || buffer.closed) {
    res.end();
    return;
  }
  // A cut ends the response: the client sees its stream end, as when the kubelet closes it.
  const cut = () => {
    stop();
    res.end();
  };
  const forget = streams.add('log', target.namespace, target.name, cut);
  const stop = buffer.follow((line) => {
    if (line && write(format(line))) return;
    stop();
    forget();
    res.end();
  });
  res.once('close', () => {
    stop();
    forget();
  });
}
