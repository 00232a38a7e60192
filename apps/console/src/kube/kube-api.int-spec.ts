import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type KubeSim, startKubeSim } from '@blockplane/kube-sim';
import { Readiness, Registry } from '@blockplane/observability';
import { KubeRequestCounter } from '@blockplane/testing';
import { consoleSection } from '../console.config.js';
import { ConsoleMetrics } from '../console.metrics.js';
import { KubeApi } from './kube-api.js';

let sim: KubeSim;
let proxy: KubeRequestCounter;
let registry: Registry;
let kube: KubeApi;

beforeAll(async () => {
  sim = await startKubeSim();
  proxy = await KubeRequestCounter.start(sim.url);
  // The simulator's kubeconfig skips TLS verification: client-node then builds an Agent of its own per request.
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kube-api-')), 'kubeconfig');
  writeFileSync(kubeconfig, sim.kubeconfig.replaceAll(sim.url, proxy.url));
  registry = new Registry();
  const config = consoleSection.parse({ KUBECONFIG: kubeconfig, GAME_NAMESPACE: 'default' });
  kube = new KubeApi(config, new ConsoleMetrics(registry), new Readiness());
});

afterAll(async () => {
  await proxy.stop();
  await sim.stop();
});

describe('KubeApi', () => {
  it('sends its calls and log reads over one connection pool, and counts its calls by verb and code', async () => {
    for (let i = 0; i < 3; i++) await kube.core.listNamespacedPod({ namespace: kube.namespace });
    await expect(kube.core.readNamespacedPod({ name: 'no-such-pod', namespace: kube.namespace })).rejects.toMatchObject(
      { code: 404 },
    );
    expect(await kube.podMetrics()).toEqual([]);
    const log = await kube.podLog('no-such-pod', { container: 'mc', follow: false }, new AbortController().signal).then(
      () => 'opened',
      (error: unknown) => error,
    );
    expect(log).toMatchObject({ code: 404 });

    expect(proxy.count).toBe(6);
    // One pool: a request sent as soon as the previous answer was read may find that connection not yet free.
    expect(proxy.connections).toBeLessThanOrEqual(2);
    const calls = await registry.getSingleMetricAsString('panel_kube_api_calls_total');
    expect(calls).toContain('panel_kube_api_calls_total{verb="list",code="200"} 4');
    expect(calls).toContain('panel_kube_api_calls_total{verb="get",code="404"} 1');
  });
});
