import { describe, expect, it } from '@jest/globals';
import type { V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { needsEvents, observePod } from './pod-status.util.js';

const pod = (status: V1PodStatus): V1Pod => ({ metadata: { name: 'mc-x-0' }, status });
const scheduled = { type: 'PodScheduled', status: 'True' };
const waiting = (reason: string): V1PodStatus => ({
  phase: 'Pending',
  conditions: [scheduled],
  containerStatuses: [
    { name: 'minecraft', image: 'i', imageID: '', ready: false, restartCount: 1, state: { waiting: { reason } } },
  ],
});

describe('observePod', () => {
  it('explains an unschedulable pod from its condition, or from its Events when the condition is silent', () => {
    const unschedulable = (message: string): V1PodStatus => ({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
    });
    expect(observePod(pod(unschedulable('0/1 nodes are available: 1 Insufficient memory.')))).toEqual({
      kind: 'pending',
      reason: 'not enough memory in the cluster',
    });
    expect(observePod(pod(unschedulable('0/1 nodes are available: 1 Insufficient cpu.'))).kind).toBe('pending');
    const silent = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] });
    expect(needsEvents(silent)).toBe(true);
    expect(observePod(silent, ['FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu.'])).toEqual({
      kind: 'pending',
      reason: 'not enough CPU in the cluster',
    });
  });

  it('explains image and crash problems', () => {
    expect(observePod(pod(waiting('ImagePullBackOff')))).toEqual({
      kind: 'pending',
      reason: 'the server image could not be downloaded',
    });
    expect(observePod(pod(waiting('ErrImagePull'))).kind).toBe('pending');
    expect(observePod(pod(waiting('CrashLoopBackOff')))).toEqual({
      kind: 'pending',
      reason: 'the server keeps crashing',
    });
    expect(needsEvents(pod(waiting('CrashLoopBackOff')))).toBe(false);
  });

  it('tells scheduled, ready and failed apart', () => {
    expect(observePod(pod({ phase: 'Pending', conditions: [scheduled] }))).toEqual({ kind: 'scheduled' });
    const ready = { type: 'Ready', status: 'True' };
    expect(observePod(pod({ phase: 'Running', conditions: [scheduled, ready] }))).toEqual({ kind: 'ready' });
    expect(observePod(pod({ phase: 'Failed', reason: 'Evicted' }))).toEqual({
      kind: 'failed',
      reason: 'the server stopped unexpectedly',
    });
  });
});
