// Minecraft workloads through the whole simulator, as Blockplane will drive them: Services in
// front of an itzg StatefulSet answering real Minecraft clients, players joined through the
// control API, env from Secrets, crash loops, liveness restarts, metrics and cut streams.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { freePort, waitFor } from '@blockplane/testing';
import { RCON, status } from 'minecraft-server-util';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { parseQuantity } from '../api/quantity.js';
import type { KubeSim } from '../index.js';
import { startTestSim } from '../test-sim.spec-support.js';
import { findBubblewrap } from './sandbox.js';

const ns = 'default';
const PASSWORD = 'from-a-secret';

let sim: KubeSim;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

const ping = (host: string, port: number) => status(host, port, { enableSRV: false, timeout: 2000 });

async function rconList(host: string, port: number, password: string): Promise<string> {
  const client = new RCON();
  await client.connect(host, port, { timeout: 2000 });
  try {
    await client.login(password, { timeout: 2000 });
    return await client.execute('list');
  } finally {
    client.close();
  }
}

/** Resolves with the error code of a TCP connect that must fail. */
const refusedCode = (host: string, port: number) =>
  new Promise<string | undefined>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });

const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sim.url}/_sim/${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

const containerStatus = async (name: string) =>
  (await core.readNamespacedPod({ name, namespace: ns })).status?.containerStatuses?.[0];

const statefulSet = (name: string, env: k8s.V1EnvVar[], resources?: k8s.V1ResourceRequirements): k8s.V1StatefulSet => ({
  metadata: { name },
  spec: {
    replicas: 1,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name: 'mc',
            image: 'itzg/minecraft-server:java21',
            env,
            ports: [
              { name: 'minecraft', containerPort: 25565 },
              { name: 'rcon', containerPort: 25575 },
            ],
            readinessProbe: { tcpSocket: { port: 'minecraft' }, periodSeconds: 1 },
            ...(resources ? { resources } : {}),
          },
        ],
      },
    },
  },
});

beforeAll(async () => {
  sim = await startTestSim({ backOffBaseMs: 100, metricsIntervalMs: 100 });
  kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
});
afterAll(async () => sim?.stop());

describe('an itzg StatefulSet behind Services', () => {
  let gamePort: number;
  let rconPort: number;

  beforeAll(async () => {
    // Service ports of their own: two simulators in parallel share the 127.96.0.0/16 ClusterIP range.
    [gamePort, rconPort] = [await freePort(), await freePort()];
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'mc-rcon' }, stringData: { password: PASSWORD } },
    });
    const env = [
      { name: 'EULA', value: 'TRUE' },
      { name: 'RCON_PASSWORD', valueFrom: { secretKeyRef: { name: 'mc-rcon', key: 'password' } } },
    ];
    const limits = { cpu: '500m', memory: '512Mi' };
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('mc', env, { requests: limits, limits }),
    });
    const ports = [
      { name: 'minecraft', port: gamePort, targetPort: 'minecraft' },
      { name: 'rcon', port: rconPort, targetPort: 'rcon' },
    ] as unknown as k8s.V1ServicePort[]; // targetPort is an IntOrString on the wire
    for (const [name, type] of [
      ['mc', 'ClusterIP'],
      ['mc-lb', 'LoadBalancer'],
    ] as const) {
      await core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name }, spec: { type, selector: { app: 'mc' }, ports } },
      });
    }
    await waitFor(
      'mc-0 Ready',
      async () => (await apps.readNamespacedStatefulSet({ name: 'mc', namespace: ns })).status?.readyReplicas === 1,
      {
        timeoutMs: 20_000,
      },
    );
  }, 30_000);

  const clusterAddress = async () =>
    waitFor(
      'a ClusterIP',
      async () => (await core.readNamespacedService({ name: 'mc', namespace: ns })).spec?.clusterIP,
    );
  const ingressAddress = async () =>
    waitFor(
      'a LoadBalancer ingress IP',
      async () =>
        (await core.readNamespacedService({ name: 'mc-lb', namespace: ns })).status?.loadBalancer?.ingress?.[0]?.ip,
    );

  it('answers a Server List Ping at the ClusterIP and at the LoadBalancer ingress', async () => {
    const clusterIP = await clusterAddress();
    expect(clusterIP).toMatch(/^127\.96\./);
    const viaCluster = await waitFor('a ping through the ClusterIP', () => ping(clusterIP, gamePort));
    expect(viaCluster.players).toMatchObject({ online: 0, max: 20 });
    expect(viaCluster.version.name).toMatch(/^1\.\d+/);
    const ingress = await ingressAddress();
    expect(ingress).toMatch(/^127\.200\./);
    const viaLoadBalancer = await waitFor('a ping through the LoadBalancer', () => ping(ingress, gamePort));
    expect(viaLoadBalancer.players.max).toBe(20);
  });

  it('shows players joined through the control API in the ping and in RCON list (password from a Secret)', async () => {
    const clusterIP = await clusterAddress();
    expect((await control('POST', `pods/${ns}/mc-0/players`, { player: 'Alex' })).status).toBe(200);
    expect((await control('POST', `pods/${ns}/mc-0/players`, { player: 'Steve' })).status).toBe(200);
    const pinged = await ping(clusterIP, gamePort);
    expect(pinged.players.online).toBe(2);
    expect(pinged.players.sample?.map((p) => p.name).sort()).toEqual(['Alex', 'Steve']);
    expect(await rconList(clusterIP, rconPort, PASSWORD)).toBe(
      'There are 2 of a max of 20 players online: Alex, Steve',
    );
    await expect(rconList(clusterIP, rconPort, 'wrong')).rejects.toThrow();
    expect((await control('DELETE', `pods/${ns}/mc-0/players/Alex`)).status).toBe(200);
    expect(await rconList(await ingressAddress(), rconPort, PASSWORD)).toBe(
      'There are 1 of a max of 20 players online: Steve',
    );
    expect((await ping(clusterIP, gamePort)).players.online).toBe(1);
  });

  it('lists PodMetrics bounded by the container limits (client-node Metrics and CustomObjectsApi)', async () => {
    const metrics = new k8s.Metrics(kc);
    const pod = await waitFor('PodMetrics for mc-0', async () =>
      (await metrics.getPodMetrics(ns)).items.find((m) => m.metadata.name === 'mc-0'),
    );
    const usage = pod.containers.find((c) => c.name === 'mc')?.usage ?? { cpu: '0', memory: '0' };
    expect(parseQuantity(usage.cpu)).toBeGreaterThan(0);
    expect(parseQuantity(usage.cpu)).toBeLessThanOrEqual(0.5);
    expect(parseQuantity(usage.memory)).toBeGreaterThan(0);
    expect(parseQuantity(usage.memory)).toBeLessThanOrEqual(512 * 2 ** 20);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const list = (await custom.listNamespacedCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      namespace: ns,
      plural: 'pods',
    })) as {
      kind: string;
      items: { metadata: { name: string } }[];
    };
    expect(list.kind).toBe('PodMetricsList');
    expect(list.items.map((m) => m.metadata.name)).toContain('mc-0');
  });

  it('refuses connections to a Service without a Ready endpoint', async () => {
    const port = await freePort();
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'nobody' },
        spec: { selector: { app: 'nobody' }, ports: [{ port, targetPort: 25565 as unknown as k8s.IntOrString }] },
      },
    });
    const clusterIP = await waitFor(
      'a ClusterIP',
      async () => (await core.readNamespacedService({ name: 'nobody', namespace: ns })).spec?.clusterIP,
    );
    expect(await refusedCode(clusterIP, port)).toBe('ECONNREFUSED');
  });
});

describe('failing containers', () => {
  it('crash-loops an itzg container whose EULA is not TRUE, with its logs and the previous ones', async () => {
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('no-eula', [{ name: 'EULA', value: 'FALSE' }]),
    });
    const looping = await waitFor('CrashLoopBackOff', async () => {
      const s = await containerStatus('no-eula-0');
      return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s;
    });
    expect(looping.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(looping.ready).toBe(false);
    const eula = /ERROR: Please accept the Minecraft EULA at/;
    expect(await core.readNamespacedPodLog({ name: 'no-eula-0', namespace: ns, previous: true })).toMatch(eula);
    expect(await core.readNamespacedPodLog({ name: 'no-eula-0', namespace: ns })).toMatch(eula);
  });

  it('restarts a container whose liveness probe fails', async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'unhealthy' },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'c',
              image: 'busybox',
              livenessProbe: { tcpSocket: { port: await freePort() }, periodSeconds: 1, failureThreshold: 1 },
            },
          ],
        },
      },
    });
    await waitFor('a restart', async () => ((await containerStatus('unhealthy'))?.restartCount ?? 0) >= 1, {
      timeoutMs: 10_000,
    });
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=unhealthy' });
    const messages = events.items.map((e) => `${e.reason}: ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Unhealthy: Liveness probe failed: dial tcp .* connection refused$/),
        'Killing: Container c failed liveness probe, will be restarted',
      ]),
    );
  });
});

describe('cut streams', () => {
  beforeAll(async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'tool' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    });
    await waitFor(
      'tool Running',
      async () => (await core.readNamespacedPod({ name: 'tool', namespace: ns })).status?.phase === 'Running',
    );
  });

  const cut = async (kind: 'log' | 'exec') =>
    (await (await control('POST', 'streams/cut', { kind, namespace: ns, name: 'tool' })).json()) as { cut: number };

  it('ends a followed log for the client', async () => {
    const out = new PassThrough();
    const ended = new Promise<void>((resolve) => out.on('finish', resolve).on('close', resolve));
    const request = await new k8s.Log(kc).log(ns, 'tool', 'c', out, { follow: true });
    await waitFor('the follow to be open', async () => (await cut('log')).cut === 1);
    await ended;
    expect(request.signal.aborted).toBe(false); // the server ended it, not the client
  });

  (findBubblewrap() ? it : it.skip)('closes an exec session for the client', async () => {
    const stdin = new PassThrough(); // kept open: `cat` would run forever
    const socket = await new k8s.Exec(kc).exec(
      ns,
      'tool',
      'c',
      ['cat'],
      new PassThrough(),
      new PassThrough(),
      stdin,
      false,
    );
    const closed = new Promise<number>((resolve) => socket.on('close', resolve));
    expect((await cut('exec')).cut).toBe(1);
    expect(await closed).toBe(1006); // terminated, as a dropped connection
  });
});
