// The cluster behind the real API server, driven by @kubernetes/client-node and kubectl.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { WebSocket } from 'ws';
import { ApiServer } from '../api/api-server.js';
import { Store } from '../api/store.js';
import { startCluster } from './index.js';
import { findBubblewrap } from './sandbox.js';
import { freePort, waitFor } from '@blockplane/testing';

const ns = 'default';
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
if (!hasKubectl) console.warn('SKIPPING kubectl cases: kubectl is not on PATH');
if (!findBubblewrap()) console.warn('SKIPPING exec cases: bubblewrap is not installed (apt-get install -y bubblewrap)');

function minecraftPod(name: string, env: Record<string, string>): k8s.V1Pod {
  return {
    metadata: { name, namespace: ns },
    spec: {
      containers: [
        {
          name: 'mc',
          image: 'itzg/minecraft-server:java21',
          env: Object.entries(env).map(([n, value]) => ({ name: n, value })),
          readinessProbe: { tcpSocket: { port: 25565 }, periodSeconds: 1 },
        },
      ],
    },
  };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('cluster over HTTP', () => {
  const store = new Store();
  const api = new ApiServer({ store });
  const stateDir = mkdtempSync(join(tmpdir(), 'cluster-http-'));
  let cluster: ReturnType<typeof startCluster>;
  let core: k8s.CoreV1Api;
  let kc: k8s.KubeConfig;
  let kubeconfigPath: string;

  /** Runs kubectl; `output()` shows its stdout so far, `done` its result. */
  const startKubectl = (args: string[], input?: string) => {
    const child = spawn('kubectl', [
      '--kubeconfig',
      kubeconfigPath,
      '--cache-dir',
      join(stateDir, 'kubectl-cache'),
      ...args,
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input);
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
    return { output: () => stdout, done };
  };
  const kubectl = (args: string[], input?: string) => startKubectl(args, input).done;

  const podStatus = async (name: string) => (await core.readNamespacedPod({ name, namespace: ns })).status;

  beforeAll(async () => {
    cluster = startCluster({
      store,
      api,
      stateDir,
      capacity: { cpu: '8', memory: '32Gi', pods: 110 },
      startDelayMs: [0, 0],
      backOffBaseMs: 200,
      backOffMaxMs: 800,
      gamePort: await freePort(),
      rconPort: await freePort(),
    });
    const url = await api.listen(0);
    kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'sim', server: url, skipTLSVerify: true }],
      users: [{ name: 'sim' }],
      contexts: [{ name: 'sim', cluster: 'sim', user: 'sim' }],
      currentContext: 'sim',
    });
    core = kc.makeApiClient(k8s.CoreV1Api);
    kubeconfigPath = join(stateDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kc.exportConfig());
    await core.createNamespacedPod({ namespace: ns, body: minecraftPod('mc-0', { EULA: 'TRUE' }) });
    await waitFor(
      'mc-0 ready',
      async () => (await podStatus('mc-0'))?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      { timeoutMs: 20_000 },
    );
  }, 30_000);

  afterAll(async () => {
    await cluster.stop();
    await api.close();
  });

  it('serves logs with tailLines, timestamps and limitBytes', async () => {
    const all = await core.readNamespacedPodLog({ name: 'mc-0', namespace: ns });
    expect(all).toMatch(/Done \([0-9.]+s\)! For help, type "help"/);
    const lines = all.trimEnd().split('\n');
    const tail = await core.readNamespacedPodLog({ name: 'mc-0', namespace: ns, tailLines: 2, timestamps: true });
    expect(
      tail
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/^\S+Z /, '')),
    ).toEqual(lines.slice(-2));
    expect(tail).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
    const limited = await core.readNamespacedPodLog({ name: 'mc-0', namespace: ns, limitBytes: 10 });
    expect(limited).toBe(all.slice(0, 10));
  });

  it('serves logs since a time, and ends a follow at limitBytes', async () => {
    const logUrl = (query: string) =>
      `${kc.getCurrentCluster()?.server}/api/v1/namespaces/${ns}/pods/mc-0/log?${query}`;
    cluster.control.writeLog(ns, 'mc-0', ['since-a']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    cluster.control.writeLog(ns, 'mc-0', ['since-b', 'since-c']);
    const stamped = await (await fetch(logUrl('timestamps=true&tailLines=2'))).text();
    const sinceTime = stamped.slice(0, stamped.indexOf(' '));
    expect(stamped).toBe(`${sinceTime} since-b\n${sinceTime} since-c\n`);
    expect(await (await fetch(logUrl(`sinceTime=${sinceTime}`))).text()).toBe('since-b\nsince-c\n');

    const follow = await fetch(logUrl('follow=true&tailLines=0&limitBytes=12'));
    cluster.control.writeLog(ns, 'mc-0', ['0123456789', 'abcdef', 'never']);
    expect(await follow.text()).toBe('0123456789\na');
  });

  it('follows logs until the container stops, and serves the previous container after a restart', async () => {
    const out = collect();
    const done = new Promise<void>((resolve) => out.stream.on('end', () => resolve()).on('close', () => resolve()));
    await new k8s.Log(kc).log(ns, 'mc-0', 'mc', out.stream, { follow: true, tailLines: 0 });
    cluster.control.crashPod(ns, 'mc-0');
    await done;
    await waitFor('restarted', async () => (await podStatus('mc-0'))?.containerStatuses?.[0]?.restartCount === 1);
    const previous = await core.readNamespacedPodLog({ name: 'mc-0', namespace: ns, previous: true });
    expect(previous).toMatch(/Done \(/);
  });

  it('refuses logs of a container that never started, with upstream messages', async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'ghost' }, spec: { containers: [{ name: 'c', image: 'nope/nothing' }] } },
    });
    await waitFor('pull failure', async () =>
      (await podStatus('ghost'))?.containerStatuses?.[0]?.state?.waiting?.reason?.includes('Image'),
    );
    await expect(core.readNamespacedPodLog({ name: 'ghost', namespace: ns })).rejects.toMatchObject({
      code: 400,
      body: expect.stringMatching(
        /container \\"c\\" in pod \\"ghost\\" is waiting to start: (ErrImagePull|ImagePullBackOff)/,
      ),
    });
    await expect(core.readNamespacedPodLog({ name: 'ghost', namespace: ns, previous: true })).rejects.toMatchObject({
      code: 400,
      body: expect.stringContaining('previous terminated container \\"c\\" in pod \\"ghost\\" not found'),
    });
  });

  (findBubblewrap() ? describe : describe.skip)('exec', () => {
    const exec = (command: string[], stdin: Readable | null = null) =>
      new Promise<{ stdout: string; stderr: string; status: k8s.V1Status }>((resolve, reject) => {
        const out = collect();
        const err = collect();
        new k8s.Exec(kc)
          .exec(ns, 'mc-0', 'mc', command, out.stream, err.stream, stdin, false, (status) =>
            resolve({ stdout: out.text(), stderr: err.text(), status }),
          )
          .catch(reject);
      });

    it('runs ls -la /data in the pod volume', async () => {
      const result = await exec(['ls', '-la', '/data']);
      expect(result.status).toEqual({ metadata: {}, status: 'Success' });
      expect(result.stdout).toContain('server.properties');
    });

    it('pipes stdin to the command', async () => {
      const result = await exec(['cat'], Readable.from([Buffer.from('hello from stdin\n')]));
      expect(result.stdout).toBe('hello from stdin\n');
    });

    it("keeps a container's /tmp across its execs, as its writable layer", async () => {
      expect((await exec(['sh', '-c', 'echo kept > /tmp/note'])).status.status).toBe('Success');
      expect((await exec(['cat', '/tmp/note'])).stdout).toBe('kept\n');
    });

    it('moves large streams both ways intact when the client reads slowly (flow control)', async () => {
      const input = randomBytes(24 * 1024 * 1024);
      const url = `${kc.getCurrentCluster()?.server.replace(/^http/, 'ws')}/api/v1/namespaces/${ns}/pods/mc-0/exec?command=cat&container=mc&stdin=true&stdout=true`;
      const socket = new WebSocket(url, ['v5.channel.k8s.io']);
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const received: Buffer[] = [];
      let status = '';
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.on('message', (data: Buffer) => {
        if (data[0] === 3) status = data.subarray(1).toString();
        if (data[0] !== 1) return;
        received.push(data.subarray(1));
        // A slow reader: the socket is not read again until the event loop has turned.
        socket.pause();
        setImmediate(() => socket.resume());
      });
      for (let offset = 0; offset < input.length; offset += 256 * 1024) {
        await new Promise<void>((resolve, reject) =>
          socket.send(Buffer.concat([Buffer.from([0]), input.subarray(offset, offset + 256 * 1024)]), (error) =>
            error ? reject(error) : resolve(),
          ),
        );
      }
      socket.send(Buffer.from([255, 0]));
      await closed;
      expect(JSON.parse(status)).toEqual({ metadata: {}, status: 'Success' });
      expect(Buffer.concat(received).equals(input)).toBe(true);
    });

    it('drops input sent after the process ended, and closes at once', async () => {
      const url = `${kc.getCurrentCluster()?.server.replace(/^http/, 'ws')}/api/v1/namespaces/${ns}/pods/mc-0/exec?command=true&container=mc&stdin=true&stdout=true`;
      const socket = new WebSocket(url, ['v5.channel.k8s.io']);
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      // Reading nothing yet, the client does not know that the process ended, and goes on sending: more than the
      // server reads at once, so that its answer to the close handshake queues behind input the server must drop.
      socket.pause();
      await waitFor('the process to end', () => cluster.control.countStreams('exec') === 0);
      for (let i = 0; i < 8; i += 1) socket.send(Buffer.concat([Buffer.from([0]), randomBytes(1024 * 1024)]));
      let status = '';
      socket.on('message', (data: Buffer) => {
        if (data[0] === 3) status = data.subarray(1).toString();
      });
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.resume();
      await closed;
      expect(JSON.parse(status)).toEqual({ metadata: {}, status: 'Success' });
    }, 10_000);

    it('surfaces a non-zero exit code', async () => {
      const result = await exec(['sh', '-c', 'echo oops >&2; exit 3']);
      expect(result.stderr).toBe('oops\n');
      expect(result.status).toEqual({
        metadata: {},
        status: 'Failure',
        message:
          'command terminated with non-zero exit code: error executing command [sh -c echo oops >&2; exit 3], exit code 3',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      });
    });

    it("runs rcon-cli against the pod's own server, on its real RCON port", async () => {
      // The server may still be booting after the restart above.
      const result = await waitFor('rcon-cli to answer', async () => {
        const r = await exec(['rcon-cli', 'list']);
        return r.status.status === 'Success' && r;
      });
      expect(result.stdout).toBe('There are 0 of a max of 20 players online: \n');
    });

    it('refuses exec into a container that is not running', async () => {
      const out = collect();
      await expect(
        new k8s.Exec(kc).exec(ns, 'ghost', 'c', ['ls'], out.stream, null, null, false),
      ).rejects.toMatchObject({
        message: 'Unexpected server response: 400',
      });
    });
  });

  (hasKubectl ? describe : describe.skip)('kubectl', () => {
    it('waits for Ready, prints logs and execs with stdin', async () => {
      const wait = await kubectl(['wait', '--for=condition=Ready', 'pod/mc-0', '--timeout=20s']);
      expect(wait).toMatchObject({ code: 0, stdout: 'pod/mc-0 condition met\n' });
      const logs = await kubectl(['logs', 'mc-0', '--tail=1']);
      expect(logs.code).toBe(0);
      expect(logs.stdout.split('\n').length).toBe(2);
      if (!findBubblewrap()) return;
      const ls = await kubectl(['exec', 'mc-0', '--', 'ls', '-la', '/data']);
      expect(ls.stderr).toBe('');
      expect(ls.stdout).toContain('server.properties');
      const cat = await kubectl(['exec', '-i', 'mc-0', '--', 'cat'], 'piped through kubectl\n');
      expect(cat.stdout).toBe('piped through kubectl\n');
      const failing = await kubectl(['exec', 'mc-0', '--', 'sh', '-c', 'exit 4']);
      expect(failing.code).toBe(4);
      const list = await kubectl(['exec', 'mc-0', '--', 'rcon-cli', 'list']);
      expect(list).toMatchObject({ code: 0, stdout: 'There are 0 of a max of 20 players online: \n' });
    }, 30_000);

    it('follows logs with kubectl logs -f until the container stops', async () => {
      const follow = startKubectl(['logs', '-f', 'mc-0', '--tail=1']);
      await waitFor('kubectl following', () => follow.output().length > 0, { timeoutMs: 15_000 });
      await core.deleteNamespacedPod({ name: 'mc-0', namespace: ns });
      const result = await follow.done;
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Stopping (the )?server/i);
    }, 20_000);
  });
});
