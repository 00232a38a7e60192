import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@blockplane/testing';
import type { LooseJson } from './api/test-api-server.spec-support.js';
import { startKubeSim, type KubeSim } from './index.js';

const SECRETS = { group: '', version: 'v1', plural: 'secrets' };
const PODS = { group: '', version: 'v1', plural: 'pods' };
const STS = { group: 'apps', version: 'v1', plural: 'statefulsets' };

const running: KubeSim[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(opts: Parameters<typeof startKubeSim>[0] = {}): Promise<KubeSim> {
  const sim = await startKubeSim({ startDelayMs: [0, 0], ...opts });
  running.push(sim);
  return sim;
}

async function call(
  sim: KubeSim,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: LooseJson }> {
  const res = await fetch(sim.url + path, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

const isReady = (sim: KubeSim, name: string) => () =>
  (
    (sim.store.get(PODS, 'default', name)?.status as { conditions?: { type: string; status: string }[] } | undefined)
      ?.conditions ?? []
  ).some((c) => c.type === 'Ready' && c.status === 'True');

const statefulSet = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'keep', namespace: 'default' },
  spec: {
    replicas: 1,
    serviceName: 'keep',
    selector: { matchLabels: { app: 'keep' } },
    template: { metadata: { labels: { app: 'keep' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
  },
};

describe('startKubeSim', () => {
  it('serves the control API under /_sim/: faults, watch cuts, capacity, written logs, open streams, pod crashes', async () => {
    const sim = await start();
    expect(sim.kubeconfig).toContain(`server: ${sim.url}`);
    expect((await call(sim, 'PUT', '/_sim/faults', { errorRates: { 503: 1 } })).body.errorRates).toEqual({
      500: 0,
      503: 1,
      429: 0,
    });
    expect((await call(sim, 'GET', '/api/v1/namespaces/default/pods')).status).toBe(503);
    expect((await call(sim, 'DELETE', '/_sim/faults')).body.errorRates[503]).toBe(0);
    expect((await call(sim, 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);

    const watch = await fetch(`${sim.url}/api/v1/namespaces/default/configmaps?watch=true`);
    const reading = watch.text();
    expect((await call(sim, 'POST', '/_sim/watches/cut')).body).toEqual({ cut: 1 });
    await reading;

    expect((await call(sim, 'PUT', '/_sim/capacity', { pods: 7 })).status).toBe(200);
    const node = sim.store.list({ group: '', version: 'v1', plural: 'nodes' }).items[0];
    expect((node?.status as { capacity: { pods: string } }).capacity.pods).toBe('7');

    sim.store.create(STS, statefulSet);
    await waitFor('keep-0 Ready', isReady(sim, 'keep-0'), { timeoutMs: 10_000 });
    const written = await call(sim, 'POST', '/_sim/pods/default/keep-0/logs', { lines: ['first', 'second'] });
    expect(written.body).toEqual({ written: 2 });
    const log = await fetch(`${sim.url}/api/v1/namespaces/default/pods/keep-0/log`);
    expect((await log.text()).split('\n').slice(-3)).toEqual(['first', 'second', '']);
    expect((await call(sim, 'POST', '/_sim/pods/default/keep-0/logs', { lines: ['two\nlines'] })).status).toBe(400);
    const follow = new AbortController();
    void fetch(`${sim.url}/api/v1/namespaces/default/pods/keep-0/log?follow=true`, { signal: follow.signal })
      .then((res) => res.text())
      .catch(() => undefined);
    await waitFor('a log follow', async () => (await call(sim, 'GET', '/_sim/streams/log')).body.open === 1);
    expect((await call(sim, 'GET', '/_sim/streams/exec')).body).toEqual({ open: 0 });
    follow.abort();
    await waitFor('no log follow', async () => (await call(sim, 'GET', '/_sim/streams/log')).body.open === 0);

    expect((await call(sim, 'POST', '/_sim/pods/default/keep-0/crash', {})).status).toBe(200);
    await waitFor(
      'a restart after the crash',
      () =>
        ((sim.store.get(PODS, 'default', 'keep-0')?.status as { containerStatuses?: { restartCount: number }[] })
          ?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      { timeoutMs: 10_000 },
    );
    expect((await call(sim, 'POST', '/_sim/nope')).body).toMatchObject({ code: 404 });
  });

  it('keeps StatefulSets, Secrets and volumes across a restart with a snapshot file', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'kube-sim-snap-'));
    dirs.push(stateDir);
    const snapshotFile = join(stateDir, 'snapshot.json');
    const first = await start({ stateDir, snapshotFile });
    const secret = first.store.create(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'rcon', namespace: 'default' },
      stringData: { password: 'pw' },
    });
    first.store.create(STS, statefulSet);
    await waitFor('keep-0 Ready', isReady(first, 'keep-0'), { timeoutMs: 10_000 });
    const lastRv = Number(first.store.resourceVersion);
    await first.stop();

    const second = await start({ stateDir, snapshotFile });
    expect(second.store.get(SECRETS, 'default', 'rcon')?.metadata.uid).toBe(secret.metadata.uid);
    expect(Number(second.store.resourceVersion)).toBeGreaterThanOrEqual(lastRv);
    await waitFor('keep-0 Ready again after restart', isReady(second, 'keep-0'), { timeoutMs: 10_000 });
  });
});
