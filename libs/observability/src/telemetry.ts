import {
  context,
  type Context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from '@blockplane/config';

let provider: TracerProvider | undefined;

/**
 * Registers the global tracer provider, context manager and W3C propagator.
 * Spans are always created (so logs carry trace ids); they are exported only when configured.
 * Idempotent: a second call (several apps in one test process) keeps the first set-up.
 */
export function startTelemetry(service: string, config: TelemetryConfig): { shutdown(): Promise<void> } {
  if (!provider) registerProvider(service, spanProcessors(config));
  const registered = provider;
  return { shutdown: async () => registered?.shutdown() };
}

/** Sets up the process's tracing; false when it was set up already (the first set-up is kept). */
export function registerProvider(service: string, spanProcessors: SpanProcessor[]): boolean {
  if (provider) return false;
  provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return true;
}

function spanProcessors(config: TelemetryConfig): SpanProcessor[] {
  switch (config.exporter) {
    case 'none':
      return [];
    case 'console':
      return [new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })];
    case 'otlp':
      return [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` }) })];
  }
}

export const tracer = () => trace.getTracer('blockplane');

export type TraceCarrier = Record<string, string>;

/** The active context as W3C headers (`traceparent`, `tracestate`). */
export function currentTraceHeaders(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function contextFromHeaders(carrier: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), carrier);
}

/** A link to the span that W3C headers name, for work it caused but that is not part of it; undefined without one. */
export function linkFromHeaders(carrier: TraceCarrier): Link | undefined {
  const linked = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
  return linked && trace.isSpanContextValid(linked) ? { context: linked } : undefined;
}

export function currentTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId;
}

/** Runs fn inside a new span (child of parent; ROOT_CONTEXT starts a trace), ending it and recording a thrown error. */
export async function inSpan<T>(
  name: string,
  options: { kind: SpanKind; parent?: Context; attributes?: Record<string, string | number>; links?: Link[] },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind, attributes: options.attributes, links: options.links },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export { ROOT_CONTEXT, SpanKind, SpanStatusCode };
