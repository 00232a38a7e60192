import { describe, expect, it } from '@jest/globals';
import { parseEventEnvelope } from './event-envelope.js';

const serverId = '5f0c8a4e-1c9b-4a47-9c3e-0c6f1f0b6b11';
const observedAt = '2026-11-26T04:00:00.000Z';
const valid = {
  id: '0b7e2d4c-3a5f-4e6b-9c8d-7f1a2b3c4d5e',
  type: 'server.stopped',
  occurredAt: '2026-11-26T04:00:00.000Z',
  trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  data: { serverId, observedAt },
};

describe('parseEventEnvelope', () => {
  it('accepts a catalogue event and types its payload', () => {
    const result = parseEventEnvelope(valid);
    expect(result).toEqual({ ok: true, event: valid });
  });

  it('drops payload fields the catalogue does not know', () => {
    const result = parseEventEnvelope({ ...valid, data: { serverId, observedAt, extra: 1 } });
    expect(result.ok && result.event.data).toEqual({ serverId, observedAt });
  });

  it.each([
    ['an unknown type', { ...valid, type: 'server.exploded' }, 'unknown event type'],
    ['a missing id', { ...valid, id: undefined }, 'id'],
    ['an id that is not a uuid', { ...valid, id: 'abc' }, 'id'],
    ['a time without zone', { ...valid, occurredAt: '2026-11-26 04:00' }, 'occurredAt'],
    ['a malformed traceparent', { ...valid, trace: { traceparent: 'x' } }, 'traceparent'],
    ['a payload of the wrong shape', { ...valid, data: { serverId: 'nope', observedAt } }, 'server.stopped'],
    ['not an object', 'hello', 'expected object'],
  ])('rejects %s', (_, raw, message) => {
    const result = parseEventEnvelope(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });
});
