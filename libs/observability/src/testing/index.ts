import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { registerProvider } from '../telemetry.js';

export type { ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * Every span this process ends, kept by the SDK's own in-memory exporter. Call it before any service
 * starts: the first set-up of the process is the one kept.
 */
export function recordSpans(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  if (!registerProvider('test', [new SimpleSpanProcessor({ exporter })])) {
    throw new Error('telemetry is already set up: call recordSpans() before starting any service');
  }
  return exporter;
}
