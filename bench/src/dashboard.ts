// Dashboard latency for one user with --servers servers (default 10,000) who is also a sub-user of
// --shared servers of other owners (default 1,000): the servers service and the gateway run in this
// process against a scratch database migrated with the real command, and the first page and a deep
// page are timed through the real RPC path (NatsConnection + RpcClient) and through the gateway's
// HTTP route. `servers.access`, which the gateway asks on every server-scoped request, is timed too.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Actor, Dashboard } from '@blockplane/contracts';
import { gatewayApp } from '@blockplane/gateway/dist/gateway.app.js';
import { NatsConnection, RpcClient, RpcResponder } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { serversApp } from '@blockplane/servers/dist/servers.app.js';
import { type ConfigSection } from '@blockplane/config';
import { createServiceApp, loadServiceConfig, type ServiceDefinition } from '@blockplane/service';
import { StackDatabase, testEnv, uniqueNamespace } from '@blockplane/testing';
import { percentile, report, type Result } from './measure.js';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '10000' },
    shared: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '300' },
    limit: { type: 'string', default: '50' },
  },
});
const count = Number(values.servers);
const shared = Number(values.shared);
const samples = Number(values.samples);
const limit = Number(values.limit);
const owner: Actor = { userId: randomUUID(), role: 'user' };

/**
 * Seeds the owner's servers (and other owners' around them) straight into the servers schema with
 * multi-row INSERTs: the dashboard reads only this service's tables, so seeding through the
 * provisioner is not needed, and no Kubernetes exists in this benchmark: zero Kubernetes calls by
 * construction. Ten servers share each createdAt, so the id tie-breaker is exercised. The owner is a
 * sub-user of `shared` of the others' servers, and their quota row carries the running usage totals
 * the service keeps.
 */
async function seed(database: StackDatabase): Promise<void> {
  const insert = (ownerId: string, n: number) => `
    insert into servers.game_server (id, owner_id, name, type, version, plan, cpu_cores, memory_mb, disk_gb,
      desired_state, status, created_at, updated_at)
    select gen_random_uuid(), '${ownerId}', 'server-' || i, 'paper', '1.21.4', 'small', 1, 2048, 10,
      'running', 'running', timestamptz '2026-01-01' + (i / 10) * interval '1 second', now()
    from generate_series(1, ${n}) as i`;
  await database.query(insert(owner.userId, count));
  for (let i = 0; i < 10; i++) await database.query(insert(randomUUID(), 1000));
  await database.query(`
    insert into servers.subuser (server_id, user_id, permissions, server_created_at, created_at, updated_at)
    select id, '${owner.userId}', '{control.console,file.read}', created_at, now(), now()
    from servers.game_server where owner_id <> '${owner.userId}' order by random() limit ${shared}`);
  await database.query(`
    insert into servers.owner_quota (user_id, max_servers, max_cpu_cores, max_memory_mb, max_disk_gb, quota_set_at,
      used_servers, used_cpu_cores, used_memory_mb, used_disk_gb)
    values ('${owner.userId}', ${count}, ${count}, ${count * 2048}, ${count * 10}, now(),
      ${count}, ${count}, ${count * 2048}, ${count * 10})`);
  await database.query('analyze servers.game_server');
  await database.query('analyze servers.subuser');
}

/** `samples` sequential requests; `wrong` says what is wrong with an answer (undefined: nothing). */
async function time<T>(
  label: string,
  request: () => Promise<T>,
  wrong: (answer: T) => string | undefined,
  target?: { max: number },
): Promise<Result[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const answer = await request();
    latencies.push(performance.now() - started);
    const problem = wrong(answer);
    if (problem) throw new Error(`${label}: ${problem}`);
  }
  return [
    { name: `${label} p50`, value: percentile(latencies, 50), unit: 'ms' },
    { name: `${label} p99`, value: percentile(latencies, 99), unit: 'ms', ...(target ? { target } : {}) },
  ];
}

/** A full page, with the owner's own usage. */
const fullPage = (page: Dashboard) =>
  page.servers.length === limit && page.usage.servers.used === count
    ? undefined
    : `${page.servers.length} servers, usage ${page.usage.servers.used}`;

/** Boots a service in this process on a free port, quiet. */
async function start<Extra extends Record<string, ConfigSection>>(
  definition: ServiceDefinition<Extra>,
  env: Record<string, string>,
) {
  const config = loadServiceConfig(definition, { NATS_URL: testEnv.natsUrl, LOG_LEVEL: 'silent', PORT: '0', ...env });
  const app = await createServiceApp(definition, config);
  await app.listen(0, '127.0.0.1');
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
}

const logger = createLogger('bench', { level: 'silent' });
const database = await StackDatabase.create(`bench_dashboard_${process.pid}`);
const namespace = uniqueNamespace();
const closing: (() => Promise<unknown>)[] = [() => database.drop()];
try {
  const seedStart = performance.now();
  await seed(database);
  console.log(
    `seeded ${count} servers (and 10,000 of other owners, ${shared} of them shared with the owner) in ${(performance.now() - seedStart).toFixed(0)} ms`,
  );

  const env = { DATABASE_URL: database.url, NATS_NAMESPACE: namespace };
  const servers = await start(serversApp, env);
  closing.unshift(() => servers.close());
  const nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace }, 'bench', logger);
  closing.unshift(() => nats.close());
  const rpc = new RpcClient(nats);

  // auth stood in by its public key, as the gateway's own tests do: the gateway verifies a real EdDSA JWT.
  const keys = await generateKeyPair('EdDSA');
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(keys.publicKey)), kty: 'OKP', kid, alg: 'EdDSA', use: 'sig' };
  const jwks = new RpcResponder(
    nats,
    `${namespace}.auth`,
    { subject: 'auth.jwks', handle: async () => ({ keys: [jwk] }) },
    logger,
  );
  // The gateway asks auth for the caller's standing on every request: answered at once here.
  const principal = new RpcResponder(
    nats,
    `${namespace}.auth`,
    { subject: 'auth.principal', handle: async () => ({ userId: owner.userId, role: owner.role, status: 'active' }) },
    logger,
  );
  for (const responder of [jwks, principal]) {
    responder.start();
    closing.unshift(() => responder.stop());
  }
  const gateway = await start(gatewayApp, env);
  closing.unshift(() => gateway.close());
  const token = await new SignJWT({ role: owner.role })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setSubject(owner.userId)
    .setIssuer('blockplane-auth')
    .setAudience('blockplane-api')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(keys.privateKey);

  const rpcPage = (cursor?: string) =>
    rpc.request('servers.dashboard', { actor: owner, limit, ...(cursor ? { cursor } : {}) });
  const httpPage = async (cursor?: string) => {
    const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${gateway.url}/api/v1/servers?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`GET /api/v1/servers answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Dashboard;
  };

  // One full walk: every server once, and the cursor of the deepest full page.
  const seen = new Set<string>();
  let cursor: string | undefined;
  let deep: string | undefined;
  let sharedServer: string | undefined;
  const walkStart = performance.now();
  do {
    const page = await rpcPage(cursor);
    for (const server of page.servers) seen.add(server.id);
    sharedServer ??= page.servers.find((server) => server.access === 'subuser')?.id;
    if (page.nextCursor && seen.size + limit <= count + shared) deep = page.nextCursor;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (seen.size !== count + shared || !deep || !sharedServer) {
    throw new Error(`the walk listed ${seen.size} servers, not ${count + shared}`);
  }
  const serverId = sharedServer;
  console.log(
    `walked all ${count + shared} servers in pages of ${limit} in ${(performance.now() - walkStart).toFixed(0)} ms\n`,
  );

  const target = { max: 50 };
  const results = [
    ...(await time('RPC first page', () => rpcPage(), fullPage, target)),
    ...(await time(`RPC deep page (after ${count + shared - limit})`, () => rpcPage(deep), fullPage, target)),
    ...(await time('HTTP first page', () => httpPage(), fullPage, target)),
    ...(await time(`HTTP deep page (after ${count + shared - limit})`, () => httpPage(deep), fullPage, target)),
    ...(await time(
      'RPC servers.access (a sub-user)',
      () => rpc.request('servers.access', { actor: owner, serverId }),
      (access) => (access.kind === 'subuser' ? undefined : `kind ${access.kind}`),
    )),
    { name: 'Kubernetes requests (none exists here)', value: 0, unit: '' },
  ];
  if (!report(results)) process.exitCode = 1;
} finally {
  for (const close of closing) await close().catch((error: unknown) => console.error(error));
}
