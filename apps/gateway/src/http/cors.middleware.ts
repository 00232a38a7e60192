import type { RequestHandler } from 'express';
import { DomainError } from '@blockplane/contracts';
import type { OriginPolicy } from './origin-policy.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const preflightAnswer = {
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, traceparent, tracestate',
  'Access-Control-Max-Age': '600',
};
/** Headers a page may read beyond the CORS-safelisted ones. */
const exposedHeaders = 'Retry-After, WWW-Authenticate, X-Trace-Id';

/**
 * CORS for the configured origins only, with credentials. A page of any other origin gets no CORS headers
 * (its browser keeps the answer from it) and cannot change anything: its preflights and its
 * state-changing requests are refused here, before the body is even read.
 */
export function corsMiddleware(policy: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    // Every answer depends on the caller's origin, those to requests without one included (caches must know).
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!policy.allows(origin)) {
      if (preflight || !safeMethods.has(req.method)) return next(new DomainError('FORBIDDEN', 'origin not allowed'));
      return next();
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (!preflight) {
      res.setHeader('Access-Control-Expose-Headers', exposedHeaders);
      return next();
    }
    res.set(preflightAnswer).status(204).end();
  };
}
