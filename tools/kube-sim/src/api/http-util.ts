import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';

/** Upstream's request body limit (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Bytes serialised before a list hands a chunk to the socket and lets other work run. */
const LIST_CHUNK_CHARS = 64 * 1024;

/**
 * Sends `{...head, items}` serialised item by item in chunks: one JSON.stringify of a 26 MB list held
 * the event loop (every other request, watch and game server) for the whole time and sent nothing
 * until it was done. Waits for the socket to drain, and yields to the event loop, between chunks.
 */
export async function sendJsonList(
  res: ServerResponse,
  head: Record<string, unknown>,
  items: readonly unknown[],
): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let chunk = `${JSON.stringify(head).slice(0, -1)},"items":[`;
  for (let i = 0; i < items.length; i++) {
    chunk += (i === 0 ? '' : ',') + JSON.stringify(items[i]);
    if (chunk.length < LIST_CHUNK_CHARS) continue;
    if (res.write(chunk)) await new Promise((resolve) => setImmediate(resolve));
    else await drained(res);
    if (res.destroyed) return; // the client went away
    chunk = '';
  }
  res.end(`${chunk}]}`);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function sendError(res: ServerResponse, err: unknown): void {
  const apiError =
    err instanceof ApiError
      ? err
      : new ApiError(
          500,
          'InternalError',
          `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
        );
  const retry = apiError.details?.retryAfterSeconds;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, apiError.code, apiError.toStatus(), retry !== undefined ? { 'Retry-After': String(retry) } : {});
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return (await readRawBody(req, limit)).toString('utf8');
}

export async function readRawBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ApiError.badRequest(`error decoding request body: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
