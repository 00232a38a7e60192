import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@blockplane/testing';
import type { KubeSim } from '../index.js';
import { startTestSim } from '../test-sim.spec-support.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl) console.warn('\n\n!!! kubectl is not on PATH: SKIPPING the kubectl tests of kube-sim !!!\n\n');
const describeKubectl = hasKubectl ? describe : describe.skip;

const MANIFEST = (memory: string) => `
apiVersion: v1
kind: Secret
metadata: { name: mc-rcon }
stringData: { password: hunter2 }
---
apiVersion: v1
kind: Service
metadata: { name: mc }
spec:
  selector: { app: mc }
  ports: [{ name: game, port: 25565 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: mc }
spec:
  serviceName: mc
  replicas: 1
  selector: { matchLabels: { app: mc } }
  template:
    metadata: { labels: { app: mc } }
    spec:
      containers:
      - name: main
        image: busybox:1.36
        ports: [{ name: game, containerPort: 25565 }]
        resources: { requests: { memory: ${memory} } }
        volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
  - metadata: { name: data }
    spec:
      accessModes: [ReadWriteOnce]
      resources: { requests: { storage: 1Gi } }
`;

let sim: KubeSim;
let dir: string;
let invocation = 0;

/** Each invocation gets its own discovery cache, as kubectl caches per server. */
function kubectlArgs(args: string[]): string[] {
  return ['--kubeconfig', sim.kubeconfigPath, '--cache-dir', join(dir, `cache-${invocation++}`), ...args];
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', kubectlArgs(args), { timeout: 20_000 });
  return stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-sim-kubectl-'));
  sim = await startTestSim();
});
afterAll(async () => {
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

describeKubectl('kubectl against kube-sim', () => {
  it('applies, gets, describes, scales, watches and deletes a Minecraft-shaped StatefulSet', async () => {
    const manifest = join(dir, 'mc.yaml');
    await writeFile(manifest, MANIFEST('64Mi'));
    expect(await kubectl('apply', '-f', manifest)).toBe(
      'secret/mc-rcon created\nservice/mc created\nstatefulset.apps/mc created\n',
    );

    await writeFile(manifest, MANIFEST('128Mi'));
    // Like upstream, a Secret with stringData is always "configured": its last-applied stringData never shows up in the live object.
    expect(await kubectl('apply', '-f', manifest)).toBe(
      'secret/mc-rcon configured\nservice/mc unchanged\nstatefulset.apps/mc configured\n',
    );
    expect(
      await kubectl(
        'get',
        'sts',
        'mc',
        '-o',
        'jsonpath={.metadata.generation} {.spec.template.spec.containers[0].resources.requests.memory}',
      ),
    ).toBe('2 128Mi');
    expect(await kubectl('apply', '--server-side', '-f', manifest)).toBe(
      'secret/mc-rcon serverside-applied\nservice/mc serverside-applied\nstatefulset.apps/mc serverside-applied\n',
    );
    expect(await kubectl('get', 'secret', 'mc-rcon', '-o', 'jsonpath={.data.password}')).toBe(
      Buffer.from('hunter2').toString('base64'),
    );

    expect(await kubectl('wait', '--for=condition=Ready', 'pod/mc-0', '--timeout=20s')).toBe(
      'pod/mc-0 condition met\n',
    );
    const pods = await kubectl('get', 'pods');
    expect(pods.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(pods).toMatch(/^mc-0\s+1\/1\s+Running\s+0\s+\d+s$/m);
    expect(await kubectl('get', 'svc', 'mc')).toMatch(/^mc\s+ClusterIP\s+\S+\s+<none>\s+25565\/TCP\s+\d+s$/m);
    expect(await kubectl('get', 'sts', 'mc')).toMatch(/^mc\s+1\/1\s+\d+s$/m);
    const yaml = await kubectl('get', 'sts', 'mc', '-o', 'yaml');
    expect(yaml).toMatch(/^kind: StatefulSet$/m);
    expect(yaml).toMatch(/^ {2}uid: [0-9a-f-]{36}$/m);
    expect(await kubectl('describe', 'sts', 'mc')).toMatch(/Pods Status:\s+1 Running/);

    const watcher = spawn('kubectl', kubectlArgs(['get', 'pods', '-w']));
    let watched = '';
    watcher.stdout.on('data', (chunk: Buffer) => (watched += chunk.toString()));
    try {
      await waitFor('kubectl get -w to list mc-0', () => /^mc-0\s/m.test(watched), { timeoutMs: 15_000 });
      expect(await kubectl('scale', 'sts', 'mc', '--replicas=2')).toBe('statefulset.apps/mc scaled\n');
      await waitFor('kubectl get -w to show mc-1 Running', () => /^mc-1\s+1\/1\s+Running/m.test(watched), {
        timeoutMs: 15_000,
      });
    } finally {
      watcher.kill();
    }
    expect(watched.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS/);

    expect(await kubectl('delete', 'sts', 'mc')).toBe('statefulset.apps "mc" deleted\n');
    await waitFor(
      'pods to be garbage collected',
      async () => (await kubectl('get', 'pods', '-l', 'app=mc', '-o', 'name')) === '',
      { timeoutMs: 15_000 },
    );
    expect(await kubectl('get', 'pvc', '-o', 'name')).toBe(
      'persistentvolumeclaim/data-mc-0\npersistentvolumeclaim/data-mc-1\n',
    );
  }, 60_000);

  it('creates namespaces, secrets and configmaps from protobuf bodies (kubectl create …)', async () => {
    expect(await kubectl('create', 'namespace', 'games')).toBe('namespace/games created\n');
    expect(await kubectl('-n', 'games', 'create', 'secret', 'generic', 'rcon', '--from-literal=password=s3cret')).toBe(
      'secret/rcon created\n',
    );
    expect(await kubectl('-n', 'games', 'create', 'configmap', 'motd', '--from-literal=motd=hello')).toBe(
      'configmap/motd created\n',
    );
    expect(await kubectl('-n', 'games', 'get', 'secret', 'rcon', '-o', 'jsonpath={.data.password}')).toBe(
      Buffer.from('s3cret').toString('base64'),
    );
    expect(await kubectl('-n', 'games', 'get', 'configmap', 'motd', '-o', 'jsonpath={.data.motd}')).toBe('hello');
    expect(await kubectl('get', 'namespace', 'games', '-o', 'jsonpath={.status.phase}')).toBe('Active');
  });

  it('reports server errors the way kubectl users expect', async () => {
    await expect(kubectl('get', 'pod', 'does-not-exist')).rejects.toThrow(
      /Error from server \(NotFound\): pods "does-not-exist" not found/,
    );
    await expect(kubectl('create', 'namespace', 'Bad_Name')).rejects.toThrow(
      /is invalid: metadata.name: Invalid value: "Bad_Name"/,
    );
  });
});
