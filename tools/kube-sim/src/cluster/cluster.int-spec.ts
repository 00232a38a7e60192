// The cluster against the real Store (no HTTP): controllers, scheduler and kubelet.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../api/store.js';
import type { KubeObject } from '../api/types.js';
import { startCluster, type ClusterControl } from './index.js';
import type { Pod, PodCondition } from './pod-types.js';
import { EVENTS, PODS, PVCS, STATEFULSETS } from './refs.js';
import { waitFor } from '@blockplane/testing';

const noApi = { registerSubresource: () => {}, registerUpgrade: () => {} };

function pod(name: string, spec: Partial<Pod['spec']> & { image?: string; memory?: string }): KubeObject {
  const { image = 'busybox:1.36', memory, ...rest } = spec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'main', image, ...(memory ? { resources: { requests: { memory } } } : {}) }],
      ...rest,
    },
  };
}

/** A container status as the wire carries it: any of the three states may be present. */
interface ContainerStatusView {
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: StateView;
  lastState: StateView;
}
interface StateView {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason: string };
}
interface PodStatusView {
  phase?: string;
  podIP?: string;
  conditions?: PodCondition[];
  containerStatuses?: ContainerStatusView[];
}

/** The value, or a failed test naming what was missing. */
function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what} to exist`);
  return value;
}

const getPod = (store: Store, name: string) => present(store.get(PODS, 'default', name), `pod ${name}`);
const statusOf = (store: Store, name: string) =>
  (store.get(PODS, 'default', name) as Pod | undefined)?.status as PodStatusView | undefined;
const containerState = (store: Store, name: string) => statusOf(store, name)?.containerStatuses?.[0];
const replicasOf = (store: Store) =>
  present(store.get(STATEFULSETS, 'default', 'web'), 'statefulset web')['status'] as
    { replicas?: number; readyReplicas?: number } | undefined;
const setReplicas = (store: Store, replicas: number) =>
  store.mutate(STATEFULSETS, 'default', 'web', (o) => {
    (o['spec'] as { replicas: number }).replicas = replicas;
  });
const eventsFor = (store: Store, name: string) =>
  store
    .list(EVENTS, { namespace: 'default' })
    .items.filter((e) => (e['involvedObject'] as { name: string }).name === name);

describe('cluster on the Store', () => {
  const store = new Store();
  const stateDir = mkdtempSync(join(tmpdir(), 'cluster-spec-'));
  let control: ClusterControl;
  let stop: () => Promise<void>;

  beforeAll(() => {
    ({ control, stop } = startCluster({
      store,
      api: noApi,
      stateDir,
      capacity: { cpu: '4', memory: '8Gi', pods: 110 },
      startDelayMs: [0, 5],
      backOffBaseMs: 100,
      backOffMaxMs: 400,
    }));
  });
  afterAll(async () => stop());

  it('runs a StatefulSet, keeps its PVCs over scale to 0 and back', async () => {
    store.create(STATEFULSETS, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    });
    const sts = await waitFor('2 ready replicas', () => {
      const s = store.get(STATEFULSETS, 'default', 'web');
      return (s?.['status'] as { readyReplicas?: number } | undefined)?.readyReplicas === 2 && s;
    });
    const status = sts['status'] as Record<string, unknown>;
    expect(status).toMatchObject({
      replicas: 2,
      availableReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 2,
      observedGeneration: 1,
    });
    expect(status['currentRevision']).toBe(status['updateRevision']);
    const web0 = getPod(store, 'web-0');
    expect(web0.metadata.labels).toMatchObject({
      app: 'web',
      'statefulset.kubernetes.io/pod-name': 'web-0',
      'controller-revision-hash': status['updateRevision'],
    });
    expect(web0.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'StatefulSet', name: 'web', uid: sts.metadata.uid, controller: true }),
    ]);
    const podStatus = present(statusOf(store, 'web-0'), 'web-0 status');
    expect(podStatus.podIP).toMatch(/^127\.10\./);
    expect(podStatus.podIP).not.toBe(statusOf(store, 'web-1')?.podIP);
    expect((podStatus.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort()).toEqual([
      'ContainersReady=True',
      'Initialized=True',
      'PodReadyToStartContainers=True',
      'PodScheduled=True',
      'Ready=True',
    ]);
    expect(containerState(store, 'web-0')).toMatchObject({
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: {} },
    });
    const pvc = present(store.get(PVCS, 'default', 'data-web-0'), 'pvc data-web-0');
    expect(pvc['status']).toMatchObject({ phase: 'Bound' });
    expect((pvc['spec'] as { volumeName?: string }).volumeName).toBe(`pvc-${pvc.metadata.uid}`);
    expect(existsSync(join(stateDir, 'volumes', 'default', 'data-web-0'))).toBe(true);

    setReplicas(store, 0);
    await waitFor('pods gone', () => !store.get(PODS, 'default', 'web-0') && !store.get(PODS, 'default', 'web-1'));
    await waitFor('status replicas 0', () => replicasOf(store)?.replicas === 0);
    expect(store.get(PVCS, 'default', 'data-web-1')).toBeDefined();

    setReplicas(store, 1);
    await waitFor('web-0 back', () => replicasOf(store)?.readyReplicas === 1);
    expect(store.get(PODS, 'default', 'web-1')).toBeUndefined();

    const before = getPod(store, 'web-0').metadata.uid;
    store.delete(PODS, 'default', 'web-0');
    await waitFor('web-0 recreated', () => {
      const p = store.get(PODS, 'default', 'web-0');
      return p && p.metadata.uid !== before && (p as Pod).status?.phase === 'Running';
    });
  });

  it('keeps a pod that does not fit Pending until capacity frees', async () => {
    store.create(PODS, pod('big', { memory: '16Gi' }));
    const message = '0/1 nodes are available: 1 Insufficient memory.';
    await waitFor('Unschedulable', () => statusOf(store, 'big')?.conditions?.find((c) => c.reason === 'Unschedulable'));
    expect(statusOf(store, 'big')).toMatchObject({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
    });
    expect(eventsFor(store, 'big')).toEqual([
      expect.objectContaining({ reason: 'FailedScheduling', type: 'Warning', message }),
    ]);
    control.setCapacity({ memory: '32Gi' });
    await waitFor('big running', () => statusOf(store, 'big')?.phase === 'Running');
  });

  it('restarts a crashing container with back-off and reports OOMKilled', async () => {
    store.create(PODS, pod('crashy', {}));
    await waitFor('running', () => containerState(store, 'crashy')?.state.running);
    control.crashPod('default', 'crashy', { oomKill: true });
    await waitFor(
      'restarted',
      () => containerState(store, 'crashy')?.restartCount === 1 && containerState(store, 'crashy')?.state.running,
    );
    expect(containerState(store, 'crashy')?.lastState).toMatchObject({
      terminated: { reason: 'OOMKilled', exitCode: 137 },
    });
    control.crashPod('default', 'crashy');
    const waiting = await waitFor('CrashLoopBackOff', () => containerState(store, 'crashy')?.state.waiting);
    expect(waiting.reason).toBe('CrashLoopBackOff');
    expect(waiting.message).toMatch(/^back-off 0s restarting failed container=main pod=crashy_default\(/);
    expect(containerState(store, 'crashy')?.lastState).toMatchObject({ terminated: { reason: 'Error', exitCode: 1 } });
    await waitFor(
      'restarted again',
      () => containerState(store, 'crashy')?.restartCount === 2 && containerState(store, 'crashy')?.state.running,
    );
    expect(eventsFor(store, 'crashy').map((e) => e['reason'])).toEqual(
      expect.arrayContaining(['Scheduled', 'Pulled', 'Created', 'Started', 'BackOff']),
    );
  });

  it('reports ErrImagePull then ImagePullBackOff for an unknown image', async () => {
    store.create(PODS, pod('ghost', { image: 'example.invalid/nothing:1' }));
    await waitFor('ErrImagePull', () => containerState(store, 'ghost')?.state.waiting?.reason === 'ErrImagePull');
    await waitFor(
      'ImagePullBackOff',
      () => containerState(store, 'ghost')?.state.waiting?.reason === 'ImagePullBackOff',
    );
    expect(statusOf(store, 'ghost')?.phase).toBe('Pending');
    expect(eventsFor(store, 'ghost').map((e) => e['reason'])).toEqual(
      expect.arrayContaining(['Pulling', 'Failed', 'BackOff']),
    );
  });

  it('terminates gracefully: Killing, then the pod goes', async () => {
    store.create(PODS, pod('leaving', {}));
    await waitFor('running', () => statusOf(store, 'leaving')?.phase === 'Running');
    let last: KubeObject | undefined;
    const unsubscribe = store.subscribe((ev) => {
      if (ev.type === 'DELETED' && ev.object.metadata.name === 'leaving') last = ev.object;
    });
    store.delete(PODS, 'default', 'leaving');
    await waitFor('pod removed', () => !store.get(PODS, 'default', 'leaving'));
    unsubscribe();
    expect(eventsFor(store, 'leaving').map((e) => e['reason'])).toContain('Killing');
    // The final state carries the stopped container, as the kubelet reports it before the grace-0 delete.
    expect((last?.['status'] as PodStatusView | undefined)?.containerStatuses?.[0]).toMatchObject({
      ready: false,
      state: { terminated: { exitCode: 143 } },
    });
  });

  // Needs the Store to keep a terminating pod (deletionGracePeriodSeconds > 0) on a status write.
  it('holds a pod marked stuck in Terminating until released', async () => {
    store.create(PODS, pod('stuck', {}));
    await waitFor('running', () => statusOf(store, 'stuck')?.phase === 'Running');
    control.setStuckTerminating('default', 'stuck', true);
    store.delete(PODS, 'default', 'stuck');
    await waitFor('container stopped', () => containerState(store, 'stuck')?.state.terminated, { timeoutMs: 2_000 });
    expect(getPod(store, 'stuck').metadata.deletionTimestamp).toBeDefined();
    control.setStuckTerminating('default', 'stuck', false);
    await waitFor('pod removed', () => !store.get(PODS, 'default', 'stuck'));
  });

  it('finishes a Never pod as Succeeded or Failed', async () => {
    store.create(PODS, pod('once', { restartPolicy: 'Never' }));
    await waitFor('running', () => statusOf(store, 'once')?.phase === 'Running');
    control.crashPod('default', 'once');
    await waitFor('failed', () => statusOf(store, 'once')?.phase === 'Failed');
    expect(statusOf(store, 'once')?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
  });
});
