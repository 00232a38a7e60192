import { z } from 'zod';
import { eventCatalogue, type EventPayload, type EventSubject, isEventSubject } from './event-catalogue.js';

/** W3C trace context, carried in the envelope so that it survives an outbox. */
export const traceContextSchema = z.object({
  traceparent: z.string().regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/),
  tracestate: z.string().optional(),
});
export type TraceContext = z.infer<typeof traceContextSchema>;

const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().refine(isEventSubject, 'unknown event type'),
  occurredAt: z.iso.datetime({ offset: true }),
  trace: traceContextSchema.optional(),
  data: z.unknown(),
});

export interface EventEnvelope<S extends EventSubject = EventSubject> {
  id: string;
  type: S;
  occurredAt: string;
  trace?: TraceContext;
  data: EventPayload<S>;
}

export type EnvelopeParseResult = { ok: true; event: EventEnvelope } | { ok: false; error: string };

/** Validates an envelope and its payload against the catalogue; never throws. */
export function parseEventEnvelope(raw: unknown): EnvelopeParseResult {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, error: z.prettifyError(envelope.error) };
  const type = envelope.data.type as EventSubject;
  const data = eventCatalogue[type].safeParse(envelope.data.data);
  if (!data.success) return { ok: false, error: `${type}: ${z.prettifyError(data.error)}` };
  return { ok: true, event: { ...envelope.data, type, data: data.data } as EventEnvelope };
}
