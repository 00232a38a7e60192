// The files service's byte streams against the simulator's raw exec: a file of --size-mib MiB (default
// 1024) uploaded (multipart, as a browser sends it) and downloaded, once straight to the files service's
// HTTP port, once through the gateway's public routes (`POST/GET /api/v1/servers/:id/files/...`, which
// stream on to the files service), then the same transfers done directly with exec (`cat > file`,
// `cat file`); and the peak RSS of the files service and of the gateway during each transfer. The
// simulator runs in a child process, the files service and the gateway as their own (built) processes;
// the benchmark plays the provisioner, the servers service and auth over NATS.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { CoreV1Api, Exec, KubeConfig } from '@kubernetes/client-node';
import { type Actor, type FileHost, permissions, type RpcSubject } from '@blockplane/contracts';
import { NatsConnection, RpcClient, RpcResponder } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { spawnService, testEnv, uniqueNamespace, waitFor } from '@blockplane/testing';
import { cpuSeconds } from './measure.js';
import { startSimProcess } from './sim-process.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '1024' } } });
const size = Number(values['size-mib']) * MIB;
if (!(size > 0)) throw new Error('--size-mib needs a positive number');

const namespace = 'default';
const pod = 'files-bench';
const container = 'files';
const actor: Actor = { userId: randomUUID(), role: 'user' };
const serverId = randomUUID();
const logger = createLogger('files-bench', { level: 'silent' });
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();

/** `size` bytes: one random MiB over and over, hashed as they are produced. */
function source(hash: ReturnType<typeof createHash>, size: number): Readable {
  const block = randomBytes(MIB);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const chunk = block.subarray(0, Math.min(MIB, size - sent));
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

/** Counts and hashes what arrives. */
function sink(hash: ReturnType<typeof createHash>, counted: { bytes: number }): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      counted.bytes += chunk.length;
      hash.update(chunk);
      done();
    },
  });
}

const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** Each process's resident set, sampled every 50 ms while `work` runs: the peaks, in bytes. */
async function peakRss<K extends string>(
  pids: Record<K, number>,
  work: () => Promise<void>,
): Promise<Record<K, number>> {
  const names = Object.keys(pids) as K[];
  const peaks = Object.fromEntries(names.map((name) => [name, rssOf(pids[name])])) as Record<K, number>;
  const sample = () => {
    for (const name of names) peaks[name] = Math.max(peaks[name], rssOf(pids[name]));
  };
  const sampler = setInterval(sample, 50);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  sample();
  return peaks;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** A multipart body of one file, streamed: what a browser's upload through the gateway looks like. */
function multipart(boundary: string, name: string, body: Readable): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      for await (const chunk of body) yield chunk as Buffer;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    })(),
  );
}

/**
 * One HTTP exchange over node:http streams, as the raw exec leg's client (client-node over `ws`) uses Node
 * streams: `fetch`'s web streams cost the client about a fifth more CPU per byte, which on two cores is taken
 * from the services being measured.
 */
function exchange(url: string, method: string, headers: Record<string, string>, body?: Readable) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent: false }, resolve);
    request.once('error', reject);
    if (body) pipeline(body, request).catch(reject);
    else request.end();
  });
}

async function text(response: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return body;
}

async function rawExec(kc: KubeConfig, command: string[], stdin: Readable | null, stdout: Writable | null) {
  await new Promise<void>((resolve, reject) => {
    new Exec(kc)
      .exec(namespace, pod, container, command, stdout, null, stdin, false, (status) =>
        status.status === 'Success' ? resolve() : reject(new Error(status.message)),
      )
      .catch(reject);
  });
}

const mibPerSecond = (seconds: number) => size / MIB / seconds;

/** Everything the benchmark starts is stopped on the way out, also when a step fails. */
async function main(): Promise<void> {
  console.log(`files bench: ${size / MIB} MiB; loadavg at start ${loadavg()}`);
  const closing: Array<() => Promise<unknown>> = [];
  try {
    await run(closing);
  } finally {
    for (const close of closing) await close().catch((error: unknown) => console.error(error));
  }
}

async function run(closing: Array<() => Promise<unknown>>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'files-bench-'));
  closing.unshift(async () => rmSync(dir, { recursive: true, force: true }));
  const sim = await startSimProcess({ startDelayMs: [0, 0] });
  closing.unshift(() => sim.stop());
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, sim.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name: pod }, spec: { containers: [{ name: container, image: 'ubuntu:24.04' }] } },
  });
  await waitFor(
    'the pod to run',
    async () => (await core.readNamespacedPod({ name: pod, namespace })).status?.phase === 'Running',
  );

  const natsNamespace = uniqueNamespace('bench');
  const nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace: natsNamespace }, 'files-bench', logger);
  closing.unshift(() => nats.close());
  const host: FileHost = { namespace, pod, container, kind: 'game', owner: '0:0', leaseMs: 60_000 };
  // auth stood in by its public key, as the gateway's own tests do: the gateway verifies a real EdDSA JWT.
  const keys = await generateKeyPair('EdDSA');
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(keys.publicKey)), kty: 'OKP', kid, alg: 'EdDSA', use: 'sig' };
  const answers: Partial<Record<RpcSubject, () => unknown>> = {
    'provisioner.file-host.acquire': () => host,
    'servers.access': () => ({ serverId, ownerId: actor.userId, kind: 'owner', permissions }),
    'auth.jwks': () => ({ keys: [jwk] }),
    'auth.principal': () => ({ userId: actor.userId, role: actor.role, status: 'active' }),
  };
  for (const [subject, answer] of Object.entries(answers)) {
    const responder = new RpcResponder(
      nats,
      `${natsNamespace}.bench`,
      { subject: subject as RpcSubject, handle: async () => answer() },
      logger,
    );
    responder.start();
    closing.unshift(() => responder.stop());
  }
  const env = { NATS_NAMESPACE: natsNamespace, LOG_LEVEL: 'warn' };
  const files = await spawnService('files', {
    ...env,
    KUBECONFIG: kubeconfigPath,
    FILES_MAX_UPLOAD_BYTES: String(size * 2),
  });
  closing.unshift(() => files.stop());
  const gateway = await spawnService('gateway', env);
  closing.unshift(() => gateway.stop());
  const pids = { files: files.child.pid ?? 0, gateway: gateway.child.pid ?? 0 };
  const rpc = new RpcClient(nats);
  const bearer = `Bearer ${await new SignJWT({ role: actor.role })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setSubject(actor.userId)
    .setIssuer('blockplane-auth')
    .setAudience('blockplane-api')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(keys.privateKey)}`;
  const publicRoute = (route: 'upload' | 'download', path: string) =>
    `${gateway.url}/api/v1/servers/${serverId}/files/${route}?${new URLSearchParams({ path }).toString()}`;

  /** Where a transfer goes: straight to the files service on a grant, or through the gateway's public route. */
  type Leg = 'direct' | 'gateway';
  const send = async (leg: Leg, route: 'upload' | 'download', path: string, headers = {}, body?: Readable) => {
    if (leg === 'gateway') {
      return exchange(
        publicRoute(route, path),
        route === 'upload' ? 'POST' : 'GET',
        { ...headers, authorization: bearer },
        body,
      );
    }
    const { method, url, token } = await rpc.request('files.transfer', { actor, serverId, kind: route, path });
    return exchange(url, method, { ...headers, authorization: `Bearer ${token}` }, body);
  };

  /** One upload then one download of `bytes`: seconds, each process's peak RSS and CPU seconds, for each. */
  const roundTrip = async (leg: Leg, bytes: number, name: string) => {
    const sent = createHash('sha256');
    const received = createHash('sha256');
    const counted = { bytes: 0 };
    const measure = async (work: () => Promise<void>) => {
      const cpu = { files: cpuSeconds(pids.files), gateway: cpuSeconds(pids.gateway) };
      let seconds = 0;
      const peak = await peakRss(pids, async () => {
        seconds = await timed(work);
      });
      const used = { files: cpuSeconds(pids.files) - cpu.files, gateway: cpuSeconds(pids.gateway) - cpu.gateway };
      return { seconds, peak, cpu: used };
    };
    const upload = await measure(async () => {
      const boundary = `bench${randomBytes(8).toString('hex')}`;
      const response = await send(
        leg,
        'upload',
        '/',
        { 'content-type': `multipart/form-data; boundary=${boundary}` },
        multipart(boundary, name, source(sent, bytes)),
      );
      if (response.statusCode !== 201)
        throw new Error(`upload answered ${response.statusCode}: ${await text(response)}`);
      response.resume();
    });
    const download = await measure(async () => {
      const response = await send(leg, 'download', `/${name}`);
      if (response.statusCode !== 200)
        throw new Error(`download answered ${response.statusCode}: ${await text(response)}`);
      await pipeline(response, sink(received, counted));
    });
    return { upload, download, intact: counted.bytes === bytes && sent.digest('hex') === received.digest('hex') };
  };

  // Small round trips first: what each service loads on first use is not counted as the transfer's.
  const warm = [await roundTrip('direct', 16 * MIB, 'warm.bin'), await roundTrip('gateway', 16 * MIB, 'warm-gw.bin')];
  const settled = await peakRss(pids, async () => undefined);
  const direct = await roundTrip('direct', size, 'big.bin');
  const through = await roundTrip('gateway', size, 'big-gw.bin');
  const intact = [...warm, direct, through].every((trip) => trip.intact);
  const rawUpload = await timed(() =>
    rawExec(kc, ['sh', '-c', 'cat > /data/raw.bin'], source(createHash('sha256'), size), null),
  );
  const rawCounted = { bytes: 0 };
  const rawDownload = await timed(() =>
    rawExec(kc, ['cat', '/data/raw.bin'], null, sink(createHash('sha256'), rawCounted)),
  );

  const line = (name: string, value: string) => console.log(`${name.padEnd(58)} ${value}`);
  const rate = (seconds: number) => `${mibPerSecond(seconds).toFixed(0)} MiB/s`;
  const pct = (ours: number, raw: number) => `${((raw / ours) * 100).toFixed(0)} % of raw exec (target ≥ 80 %)`;
  for (const [what, raw, rawLabel] of [
    ['upload', rawUpload, 'cat > file'],
    ['download', rawDownload, 'cat file'],
  ] as const) {
    line(`${what} through the gateway`, rate(through[what].seconds));
    line(`${what} straight to the files service`, rate(direct[what].seconds));
    line(`${what} with raw exec (${rawLabel})`, rate(raw));
    line('  through the gateway vs raw exec', pct(through[what].seconds, raw));
    line('  straight to the files service vs raw exec', pct(direct[what].seconds, raw));
    line(
      '  through the gateway vs straight to the files service',
      `${((direct[what].seconds / through[what].seconds) * 100).toFixed(0)} % (the gateway's own cost)`,
    );
  }
  const perGib = (seconds: number) => `${((seconds * GIB) / size).toFixed(1)} s`;
  for (const service of ['files', 'gateway'] as const) {
    line(
      `${service} CPU per GiB through the gateway (upload / download)`,
      `${perGib(through.upload.cpu[service])} / ${perGib(through.download.cpu[service])}`,
    );
  }
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
  for (const service of ['files', 'gateway'] as const) {
    const label = service === 'files' ? 'files service' : 'gateway';
    const peak = (trip: typeof direct) => Math.max(trip.upload.peak[service], trip.download.peak[service]);
    line(`${label} RSS after the 16 MiB round trips`, mib(settled[service]));
    line(
      `  peak during the ${size / MIB} MiB upload / download through the gateway`,
      `${mib(through.upload.peak[service])} / ${mib(through.download.peak[service])}`,
    );
    line(
      `  peak during the ${size / MIB} MiB upload / download to the files service`,
      `${mib(direct.upload.peak[service])} / ${mib(direct.download.peak[service])}`,
    );
    line(
      '  growth over the settled RSS (target flat, < 64 MiB)',
      mib(Math.max(peak(through), peak(direct)) - settled[service]),
    );
  }
  line('bytes intact (sha-256 of upload = download)', intact ? 'yes' : 'NO');
  console.log(`loadavg at end ${loadavg()}`);
  if (!intact || rawCounted.bytes !== size) process.exitCode = 1;
}

await main();
