import { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { DomainError, errorCodes, type TransferGrant } from '@blockplane/contracts';
import { LOGGER, type Logger } from '@blockplane/observability';

/** What of a file's answer reaches the client; nothing else the files service says does. */
const fileHeaders = ['content-type', 'content-length', 'content-disposition', 'last-modified'] as const;
/** No byte moving either way for this long cuts a transfer (the files service cuts its own at 120 s, first). */
const IDLE_MS = 150_000;
/** The files service's JSON answers are small (an entry, the uploaded files, an error): more is a fault. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;

const upstreamErrorSchema = z.object({
  error: z.object({ code: z.enum(errorCodes), message: z.string(), details: z.unknown().optional() }),
});

/**
 * Streams bytes between the client and the files service over the URL of a transfer grant, with
 * back-pressure both ways (`pipe`/`relay`: a side that is not read is not written) and never a whole
 * body in memory. Whichever side goes away takes the other with it. Before the first byte of a file,
 * a failure is a JSON error with its status; after it, only cutting the connection can tell the client,
 * so a short body is never taken for a whole one.
 */
@Injectable()
export class FileStreamProxy {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  /** `read` and `download`: the file from the files service to the client. */
  async download(grant: TransferGrant, req: Request, res: Response): Promise<void> {
    const upstream = await this.exchange(grant, res, {}, (outgoing) => outgoing.end());
    if (upstream.statusCode !== 200) throw await failureOf(upstream);
    res.status(200);
    for (const name of fileHeaders) {
      const value = upstream.headers[name];
      if (value !== undefined) res.setHeader(name, value);
    }
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'HEAD') {
      upstream.destroy();
      res.end();
      return;
    }
    // The socket's read buffers are garbage once node:http's parser (the 'data' listener before this one) has
    // copied the body out of them: handed back here, they need no GC either (see `relay`).
    upstream.socket.on('data', release);
    try {
      await relay(upstream, res);
    } catch (error) {
      // relay destroyed both sides: the client's connection is cut, not ended as if the file were whole.
      this.logger.info({ err: error, path: req.path }, 'file stream cut');
    }
  }

  /** `write` and `upload`: the client's body to the files service as it arrives; its answer, checked by `answer`. */
  async upload<S extends z.ZodType>(
    grant: TransferGrant,
    req: Request,
    res: Response,
    answer: S,
  ): Promise<z.output<S>> {
    // The body goes on as it came: its type (with the multipart boundary) and its length, when the client said it.
    const headers: OutgoingHttpHeaders = { 'content-type': req.headers['content-type'] };
    if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length'];
    let sending: ClientRequest | undefined;
    const upstream = await this.exchange(grant, res, headers, (outgoing) => {
      sending = req.pipe(outgoing);
    });
    const status = upstream.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      const parsed = answer.safeParse(await readJson(upstream));
      if (!parsed.success) throw new DomainError('INTERNAL', 'the files service answered an unexpected body');
      return parsed.data as z.output<S>;
    }
    // Refused before the body ended (a limit, a bad part): nothing more is sent, and the client's connection
    // closes after the answer rather than carrying the rest of its body.
    req.unpipe();
    if (!req.complete) res.setHeader('Connection', 'close');
    const failure = await failureOf(upstream);
    // The files service is draining a body that will not come: let go of its connection.
    sending?.destroy();
    throw failure;
  }

  /** Sends the request `send` feeds; resolves with the files service's answer once its status arrives. */
  private exchange(
    grant: TransferGrant,
    res: Response,
    headers: OutgoingHttpHeaders,
    send: (outgoing: ClientRequest) => void,
  ): Promise<IncomingMessage> {
    const url = new URL(grant.url);
    const request = { 'http:': httpRequest, 'https:': httpsRequest }[url.protocol];
    if (request === undefined) throw new DomainError('INTERNAL', 'the files service named a URL that is not http');
    // A connection of its own, never pooled: a transfer is long, and one cut halfway must leave nothing behind.
    // It is announced as keep-alive all the same, so that a files service answering before it read the whole
    // body (a limit, a refusal) drains the rest instead of resetting the connection under its own answer.
    const outgoing = request(url, {
      method: grant.method,
      headers: { ...headers, authorization: `Bearer ${grant.token}`, connection: 'keep-alive' },
      agent: false,
      timeout: IDLE_MS,
    });
    return new Promise((resolve, reject) => {
      let clientGone = false;
      // Kept for the request's whole life: an error after the answer arrived is the answer stream's to report.
      outgoing.on('error', (error) =>
        reject(
          clientGone
            ? new DomainError('VALIDATION_FAILED', 'request aborted')
            : error instanceof DomainError
              ? error
              : new DomainError('UPSTREAM_UNAVAILABLE', 'the files service could not be reached'),
        ),
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(new DomainError('UPSTREAM_TIMEOUT', 'the transfer stalled: no byte moved for 150 s')),
      );
      outgoing.once('response', resolve);
      // The client went away: the transfer stops too (the files service then ends its exec and drops partial files).
      res.once('close', () => {
        if (res.writableFinished) return;
        clientGone = true;
        outgoing.destroy();
      });
      send(outgoing);
    });
  }
}

/**
 * `from` into `to` as `pipeline` does (back-pressure; a failure on either side destroys both), handing each
 * chunk's memory back as soon as `to` has written it. node:http gives every body chunk a buffer of its own (a
 * copy of what the socket read), which V8 counts as outside memory: left to the GC, these buffers and the
 * socket's started a full mark-compact of the gateway's whole heap every ~40 MB of a download, which was over
 * half of the gateway's CPU per byte.
 */
async function relay(from: Readable, to: Writable): Promise<void> {
  try {
    for await (const chunk of from as AsyncIterable<Buffer>) {
      if (!to.write(chunk, () => release(chunk))) await drained(to);
    }
    to.end();
    await finished(to);
  } catch (error) {
    from.destroy();
    to.destroy();
    throw error;
  }
}

/**
 * Frees a buffer's memory now, once nothing reads it any more. Only a buffer spanning its whole ArrayBuffer (as
 * node:http's are) is freed: a slice of a shared one (a pool) is left to the GC.
 */
function release(chunk: Buffer): void {
  const { buffer } = chunk;
  if (buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === buffer.byteLength) {
    buffer.transfer(0);
  }
}

/** Resolves when `to` takes more; rejects when it is closed instead (the client went away). */
function drained(to: Writable): Promise<void> {
  if (to.destroyed) return Promise.reject(new Error('the client went away'));
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      to.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      to.off('drain', onDrain);
      reject(new Error('the client went away'));
    };
    to.once('drain', onDrain).once('close', onClose);
  });
}

/** The files service's error, in the one shape. A refused grant is the gateway's fault, never the caller's 401. */
async function failureOf(upstream: IncomingMessage): Promise<DomainError> {
  const parsed = upstreamErrorSchema.safeParse(await readJson(upstream).catch(() => undefined));
  if (!parsed.success) return new DomainError('INTERNAL', `the files service answered ${upstream.statusCode}`);
  const { code, message, details } = parsed.data.error;
  if (code === 'UNAUTHENTICATED') return new DomainError('INTERNAL', 'the files service refused the transfer grant');
  return new DomainError(code, message, details);
}

async function readJson(upstream: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of upstream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) {
      upstream.destroy();
      throw new DomainError('INTERNAL', 'the files service answered too much');
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new DomainError('INTERNAL', 'the files service answered something that is not JSON');
  }
}
