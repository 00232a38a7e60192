import { describe, expect, it } from '@jest/globals';
import { StatusTraces } from './status-trace.js';

const create = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
const restart = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

describe('StatusTraces', () => {
  it("continues the request's trace up to its outcome, repeats of the outcome included", () => {
    const traces = new StatusTraces();
    expect(traces.relate('a', create, undefined)).toEqual({ kind: 'child', trace: create });
    expect(traces.relate('a', create, 'ready:pod-1')).toEqual({ kind: 'child', trace: create });
    expect(traces.relate('a', create, 'ready:pod-1')).toEqual({ kind: 'child', trace: create });
  });

  it('links what happens after the outcome, until a new request is recorded', () => {
    const traces = new StatusTraces();
    traces.relate('a', create, 'ready:pod-1');
    expect(traces.relate('a', create, undefined)).toEqual({ kind: 'link', trace: create });
    expect(traces.relate('a', create, 'ready:pod-2')).toEqual({ kind: 'link', trace: create });
    expect(traces.relate('b', create, undefined)).toEqual({ kind: 'child', trace: create });
    expect(traces.relate('a', restart, undefined)).toEqual({ kind: 'child', trace: restart });
    expect(traces.relate('a', restart, 'ready:pod-2')).toEqual({ kind: 'child', trace: restart });
  });

  it('prefers the request this process made to a StatefulSet annotation its informer has not delivered yet', () => {
    const traces = new StatusTraces();
    traces.relate('a', create, 'ready:pod-1');
    traces.request('a', restart);
    expect(traces.relate('a', create, 'ready:pod-2')).toEqual({ kind: 'child', trace: restart });
    traces.request('a', {});
    expect(traces.relate('a', create, undefined)).toEqual({ kind: 'link', trace: restart });
  });

  it('starts afresh for a forgotten server, and relates nothing to no trace', () => {
    const traces = new StatusTraces();
    traces.relate('a', create, 'stopped');
    traces.forget('a');
    expect(traces.relate('a', create, 'ready:pod-1')).toEqual({ kind: 'child', trace: create });
    expect(traces.relate('a', {}, 'ready:pod-1')).toEqual({ kind: 'none' });
  });
});
