import type { NextFunction, Request, Response } from 'express';
import { context, trace } from '@opentelemetry/api';
import { contextFromHeaders, type Histogram, type Logger, SpanKind, tracer } from '@blockplane/observability';

/**
 * Wraps every request in a server span continued from the caller's `traceparent`, answers with
 * the trace id, and on finish records the duration by route template and logs one line.
 */
export function httpObservability(histogram: Histogram<'method' | 'route' | 'status_code'>, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const span = tracer().startSpan(
      `${req.method} request`,
      { kind: SpanKind.SERVER },
      contextFromHeaders(req.headers),
    );
    const spanContext = trace.setSpan(context.active(), span);
    res.setHeader('x-trace-id', span.spanContext().traceId);
    res.once('finish', () => {
      const route = routeTemplate(req);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe({ method: req.method, route, status_code: String(res.statusCode) }, seconds);
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      context.with(spanContext, () => {
        if (route !== '/metrics' && route !== '/healthz' && route !== '/readyz') {
          logger.info({ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
        }
      });
      span.end();
    });
    context.with(spanContext, next);
  };
}

/** Nest answers unknown paths from a catch-all route of its own. */
const NOT_FOUND_ROUTE = '/{*all}';

/** The matched route's template (`/api/v1/servers/:id`), never the raw path: labels stay bounded. */
function routeTemplate(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && path !== NOT_FOUND_ROUTE ? `${req.baseUrl}${path}` : 'unmatched';
}
