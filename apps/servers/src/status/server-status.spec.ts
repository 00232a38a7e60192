import { describe, expect, it } from '@jest/globals';
import { type ObservedState, type Observation, observe, power } from './server-status.js';

const t0 = new Date('2026-11-26T10:00:00Z');
const later = new Date('2026-11-26T10:00:05Z');
const state = (overrides: Partial<ObservedState> = {}): ObservedState => ({
  desiredState: 'running',
  status: 'creating',
  statusReason: null,
  address: null,
  lastObservedAt: null,
  ...overrides,
});

describe('observe', () => {
  it.each<[Observation, Partial<ObservedState>]>([
    [{ type: 'pod.scheduled' }, { status: 'starting' }],
    [
      { type: 'pod.pending', reason: 'not enough memory in the cluster' },
      { status: 'starting', statusReason: 'not enough memory in the cluster' },
    ],
    [
      { type: 'pod.ready', address: '10.0.0.7:25565' },
      { status: 'running', address: '10.0.0.7:25565', statusReason: null },
    ],
    [
      { type: 'pod.failed', reason: 'the server crashed' },
      { status: 'error', statusReason: 'the server crashed' },
    ],
    [{ type: 'server.stopped' }, { status: 'starting', address: null }],
    [{ type: 'server.deleted' }, { status: 'deleted' }],
  ])('moves a server meant to run on %o', (event, expected) => {
    expect(observe(state(), event, t0)).toMatchObject({ ...expected, lastObservedAt: t0 });
  });

  it('clears the pending reason once the pod is ready', () => {
    const pending = state({ status: 'starting', statusReason: 'not enough memory in the cluster' });
    expect(observe(pending, { type: 'pod.ready', address: 'a:1' }, t0)).toEqual({
      status: 'running',
      statusReason: null,
      address: 'a:1',
      lastObservedAt: t0,
    });
  });

  it('ignores observations older than the last applied one', () => {
    const seen = state({ status: 'running', lastObservedAt: later });
    expect(observe(seen, { type: 'pod.scheduled' }, t0)).toBeUndefined();
  });

  it('gives the same answer when an observation is applied twice', () => {
    const once = { ...state(), ...observe(state(), { type: 'pod.ready', address: 'a:1' }, t0) } as ObservedState;
    expect(observe(once, { type: 'pod.ready', address: 'a:1' }, t0)).toEqual({
      status: once.status,
      statusReason: once.statusReason,
      address: once.address,
      lastObservedAt: once.lastObservedAt,
    });
  });

  it('keeps stopping while the owner wants it stopped, and settles on server.stopped', () => {
    const stopping = state({ desiredState: 'stopped', status: 'stopping', address: 'a:1' });
    for (const event of [
      { type: 'pod.ready', address: 'a:1' },
      { type: 'pod.scheduled' },
      { type: 'server.provisioned' },
    ] as const) {
      expect(observe(stopping, event, t0)?.status).toBe('stopping');
    }
    expect(observe(stopping, { type: 'server.stopped' }, t0)).toMatchObject({ status: 'stopped', address: null });
  });

  it('keeps deleting until server.deleted, even when the pod fails', () => {
    const deleting = state({ desiredState: 'deleted', status: 'deleting' });
    expect(observe(deleting, { type: 'pod.failed', reason: 'x' }, t0)?.status).toBe('deleting');
    expect(observe(deleting, { type: 'server.stopped' }, t0)?.status).toBe('deleting');
    expect(observe(deleting, { type: 'server.deleted' }, t0)?.status).toBe('deleted');
  });

  it('moves a new server to provisioning on server.provisioned without moving the observation clock', () => {
    expect(observe(state(), { type: 'server.provisioned' }, later)).toMatchObject({
      status: 'provisioning',
      lastObservedAt: null,
    });
    // The reconciler applied the objects before server.requested arrived: the pod was ready first.
    const provisioned = { ...state(), ...observe(state(), { type: 'server.provisioned' }, later) } as ObservedState;
    expect(observe(provisioned, { type: 'pod.ready', address: 'a:1' }, t0)).toMatchObject({ status: 'running' });
  });

  it('does not pull a running server back to provisioning on a re-apply', () => {
    expect(observe(state({ status: 'running' }), { type: 'server.provisioned' }, t0)?.status).toBe('running');
  });

  it('never leaves deleted', () => {
    expect(
      observe(state({ status: 'deleted', desiredState: 'deleted' }), { type: 'pod.ready', address: 'a:1' }, later),
    ).toBeUndefined();
  });
});

describe('power', () => {
  it.each([
    ['start', 'stopped', { desiredState: 'running', status: 'starting' }],
    ['start', 'running', { desiredState: 'running', status: 'running' }],
    ['stop', 'running', { desiredState: 'stopped', status: 'stopping' }],
    ['stop', 'stopped', { desiredState: 'stopped', status: 'stopped' }],
    ['restart', 'running', { desiredState: 'running', status: 'starting' }],
    ['kill', 'error', { desiredState: 'running', status: 'starting' }],
  ] as const)('%s on a %s server', (action, status, expected) => {
    expect(power({ desiredState: status === 'stopped' ? 'stopped' : 'running', status }, action)).toEqual(expected);
  });
});
