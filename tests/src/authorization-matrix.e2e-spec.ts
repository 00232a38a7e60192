import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type AccessRuleInfo,
  type ApiRoute,
  apiRouteSchema,
  type ErrorCode,
  type Permission,
  permissions,
  type Server,
  type SocketEventInfo,
  socketEventInfoSchema,
} from '@blockplane/contracts';
import { type GatewayClient, password, startStack } from '@blockplane/testing';
import { type Account, AccessKit, aServer, newEmail, type Outcome } from './access-kit.js';
import { probeSocket } from './console-kit.js';
import { FilesClient } from './files-kit.js';

/**
 * Issue #5's authorization matrix: every route and socket event the RUNNING gateway lists at
 * `GET /api/v1/routes` (the app's own enumeration, not a list kept here), against every kind of caller.
 * Each cell's outcome is computed from the rule the route declares, and every cell is asserted: the
 * exact status and error of a refusal, and for an allowed cell the route's success status, which
 * needs a valid request: `samples` holds one per route, and a route without one fails the test.
 */

const principals = {
  anonymous: 'anonymous',
  owner: 'the owner',
  granted: 'a sub-user holding exactly the permission',
  others: 'a sub-user holding every other permission',
  stranger: 'a user of another tenant',
  removed: 'a removed sub-user',
  keyWith: 'an API key of the owner with the permission',
  keyWithout: 'an API key of the owner without it',
  suspended: 'a suspended user (was a sub-user holding everything)',
  admin: 'an admin',
} as const;
type Principal = keyof typeof principals;
const everyone = Object.keys(principals) as Principal[];

/** What a server route needs once a by-field need is read for one value of its field. */
type Need = 'any' | 'owner' | Permission;

/** One row of the matrix: a route (a by-field rule gives one row per value of its field) or a socket event. */
interface Case {
  name: string;
  /** The sample's key: `METHOD path` as listed, `SOCKET event` for a socket event. */
  key: string;
  method: string;
  path: string;
  rule: AccessRuleInfo;
  need?: Need;
  variant?: { field: string; value: string };
}

/** What the sub-users and API keys of a row hold: exactly what it needs, and everything else. */
interface Grants {
  exact: Permission[];
  others: Permission[];
}

function grantsFor(need: Need | undefined): Grants {
  if (need === undefined || need === 'any') return { exact: [], others: [...permissions] };
  // No permission is `owner`: the most a sub-user or key can hold is everything, and one short of it.
  if (need === 'owner') return { exact: [...permissions], others: permissions.slice(1) };
  return { exact: [need], others: permissions.filter((permission) => permission !== need) };
}

type Expectation =
  { allowed: true } | { allowed: false; status: number; code: ErrorCode; permission?: string; message?: string };

const allowed: Expectation = { allowed: true };
const refused = (status: number, code: ErrorCode, more: { permission?: string; message?: string } = {}) =>
  ({ allowed: false, status, code, ...more }) satisfies Expectation;
const missing = (permission: string) => refused(403, 'FORBIDDEN', { permission });

const keysRefused = refused(403, 'FORBIDDEN', { message: 'API keys cannot be used here' });

/** The outcome the declared rule promises one caller: the README's "Access" section, as a function. */
function expectationFor({ name, rule, need }: Case, who: Principal): Expectation {
  if (rule.kind === 'public') return allowed;
  if (who === 'anonymous') return refused(401, 'UNAUTHENTICATED');
  if (who === 'suspended') return refused(403, 'FORBIDDEN', { message: 'account is suspended' });
  const key = who === 'keyWith' || who === 'keyWithout';
  switch (rule.kind) {
    case 'signed-in':
      return key && !rule.apiKeys ? keysRefused : allowed;
    case 'admin':
      if (key) return keysRefused;
      return who === 'admin' ? allowed : refused(403, 'FORBIDDEN', { message: 'admins only' });
    case 'server':
      if (need === undefined) throw new Error(`${name}: a server rule without a need`);
      return onServer(need, who);
  }
}

function onServer(need: Need, who: Exclude<Principal, 'anonymous' | 'suspended'>): Expectation {
  if (who === 'owner' || who === 'admin') return allowed;
  // A server the caller cannot reach does not exist for them.
  if (who === 'stranger' || who === 'removed') return refused(404, 'NOT_FOUND');
  const grants = grantsFor(need);
  const held = who === 'granted' || who === 'keyWith' ? grants.exact : grants.others;
  if (need === 'owner') {
    // The owner or an admin only; the owner's key only when it holds every permission.
    if (who === 'granted' || who === 'others') return missing('owner');
    const lacking = permissions.find((permission) => !held.includes(permission));
    return lacking === undefined ? allowed : missing(lacking);
  }
  return need === 'any' || held.includes(need) ? allowed : missing(need);
}

const summaryOf = (expected: Expectation) =>
  expected.allowed
    ? 'allowed'
    : `${expected.status} ${expected.code}${expected.permission ? ` naming ${expected.permission}` : ''}`;

/** The rows of one route or socket event: one per value of a by-field rule's field. */
function casesOf(key: string, method: string, path: string, rule: AccessRuleInfo): Case[] {
  const row = { key, method, path, rule };
  if (rule.kind !== 'server') return [{ ...row, name: key }];
  const { need } = rule;
  if (typeof need === 'string') return [{ ...row, name: key, need }];
  return Object.entries(need.permissions).map(([value, permission]) => ({
    ...row,
    name: `${key} {${need.field}: ${value}}`,
    need: permission,
    variant: { field: need.field, value },
  }));
}

// ── The samples: a valid request per route ───────────────────────────────────────────────────────

/**
 * What a row's cells share: an owner of its own (an account holds a limited number of API keys), their
 * server on server routes, their API keys, and what the row's refused cells aim at.
 */
interface Fixture {
  owner: Account;
  grants: Grants;
  server?: Server;
  keys: { with: string; without: string };
  target?: string;
}

interface SampleContext {
  /** Whether the cell should pass authorization: a destructive sample then acts on a fresh target. */
  allowed: boolean;
  /** The principal's own client, to make what its request acts on (e.g. its own API key). */
  caller: GatewayClient;
  fixture: Fixture;
  /** The server the request names: the row's, or a fresh one for an allowed cell of a `freshServer` route. */
  server: Server | undefined;
  variant: Case['variant'];
}

interface SampleRequest {
  /** Path parameters besides `:id` of a server route. */
  params?: Record<string, string>;
  /** The query string (the file routes name their path there). */
  query?: Record<string, string>;
  /** JSON, or a `Blob`/`FormData` sent as it is (a file's bytes, a multipart upload). */
  body?: unknown;
}

interface Sample {
  /** The route's success status: what an allowed cell must get. */
  status: number;
  /** Each allowed cell acts on a fresh server of the owner, shared with the principal as the row's. */
  freshServer?: boolean;
  /** Prepares, once per row, the id its refused cells name (allowed cells of destructive routes make their own). */
  target?: (row: Pick<Fixture, 'owner' | 'server'>) => Promise<string>;
  build?: (context: SampleContext) => SampleRequest | Promise<SampleRequest>;
}

const nothing: Sample = { status: 200 };

/** A fresh account the servers service knows, to invite or act on. */
async function freshAccount(): Promise<Account> {
  const account = await kit.signUp();
  await kit.knownToServers(account);
  return account;
}

const freshUserId = async (): Promise<string> => (await kit.signUp()).user.id;

async function freshSuspended(): Promise<string> {
  const userId = await freshUserId();
  await kit.suspend(world.admin.client, userId);
  return userId;
}

/** Destructive samples act on a fresh target in allowed cells, on the row's in refused ones. */
async function freshOr(context: SampleContext, fresh: () => Promise<string>): Promise<string> {
  if (context.allowed) return fresh();
  if (context.fixture.target === undefined) throw new Error('a destructive sample without a target');
  return context.fixture.target;
}

/** An admin action on an account (the path's `:id`): each allowed cell acts on an account of its own. */
const onFreshUser = (body: unknown, make: () => Promise<string> = freshUserId): Sample => ({
  status: 200,
  target: make,
  build: async (context) => ({ params: { id: await freshOr(context, make) }, body }),
});

const samples: Record<string, Sample> = {
  'GET /healthz': nothing,
  'GET /readyz': nothing,
  'GET /metrics': nothing,
  'GET /api/v1/routes': nothing,
  'GET /api/v1/status': nothing,
  'GET /api/v1/plans': nothing,
  'GET /api/v1/server-types': nothing,
  'POST /api/v1/auth/register': { status: 202, build: () => ({ body: { email: newEmail(), password } }) },
  'POST /api/v1/auth/login': { status: 200, build: () => ({ body: { email: world.bystander.user.email, password } }) },
  'POST /api/v1/auth/refresh': { status: 200, build: aRefreshToken },
  'POST /api/v1/auth/logout': { status: 204, build: aRefreshToken },
  'POST /api/v1/auth/password-reset': { status: 202, build: () => ({ body: { email: newEmail() } }) },
  'POST /api/v1/auth/password-reset/confirm': {
    status: 204,
    build: async () => {
      const account = await kit.signUp();
      return { body: { token: await kit.resetToken(account.user.email), password: `${password} anew` } };
    },
  },
  'GET /api/v1/me': nothing,
  'GET /api/v1/me/usage': nothing,
  'GET /api/v1/permissions': nothing,
  'GET /api/v1/me/api-keys': nothing,
  'POST /api/v1/me/api-keys': { status: 201, build: () => ({ body: { name: 'matrix', permissions: [] } }) },
  'DELETE /api/v1/me/api-keys/:id': {
    status: 204,
    target: async ({ owner }) => (await kit.createKey(owner.client, [])).apiKey.id,
    build: async (context) => ({
      params: { id: await freshOr(context, async () => (await kit.createKey(context.caller, [])).apiKey.id) },
    }),
  },
  'GET /api/v1/servers': nothing,
  'POST /api/v1/servers': { status: 202, build: () => ({ body: aServer }) },
  'GET /api/v1/servers/:id': nothing,
  'POST /api/v1/servers/:id/power': {
    status: 202,
    freshServer: true,
    build: ({ variant }) => ({ body: variant && { [variant.field]: variant.value } }),
  },
  'DELETE /api/v1/servers/:id': { status: 202, freshServer: true },
  'GET /api/v1/servers/:id/activity': nothing,
  'GET /api/v1/servers/:id/subusers': nothing,
  'POST /api/v1/servers/:id/subusers': {
    status: 201,
    // An invitee of its own for each allowed cell: a second invitation of one account is a conflict.
    build: async (context) => ({
      body: { email: (context.allowed ? await freshAccount() : world.bystander).user.email, permissions: [] },
    }),
  },
  'GET /api/v1/servers/:id/subusers/:userId': { status: 200, target: subuserTarget, build: asTarget },
  'PATCH /api/v1/servers/:id/subusers/:userId': {
    status: 200,
    target: subuserTarget,
    build: ({ fixture }) => ({ ...asTarget({ fixture }), body: { permissions: fixture.grants.exact } }),
  },
  'DELETE /api/v1/servers/:id/subusers/:userId': {
    status: 204,
    target: subuserTarget,
    build: async (context) => ({
      params: { userId: await freshOr(context, () => subuserTarget({ ...context.fixture, server: context.server })) },
    }),
  },
  'GET /api/v1/admin/users': nothing,
  'GET /api/v1/admin/users/:id': { status: 200, build: () => ({ params: { id: world.bystander.user.id } }) },
  'PATCH /api/v1/admin/users/:id': onFreshUser({ role: 'admin' }),
  'PUT /api/v1/admin/users/:id/quota': {
    status: 200,
    build: () => ({
      params: { id: world.bystander.user.id },
      body: { maxServers: 5, maxCpuCores: 4, maxMemoryMb: 8192, maxDiskGb: 40 },
    }),
  },
  'POST /api/v1/admin/users/:id/suspend': onFreshUser({ reason: 'matrix' }),
  'DELETE /api/v1/admin/users/:id/suspend': onFreshUser(undefined, freshSuspended),
  'GET /api/v1/admin/servers': nothing,
  'GET /api/v1/admin/activity': nothing,
  // Console socket events: `body` is the event's payload (a server rule's `serverId` added), 200 an ok acknowledgement.
  'SOCKET join': nothing,
  'SOCKET leave': { status: 200, build: () => ({ body: { serverId: randomUUID() } }) },
  'SOCKET command': {
    status: 200,
    // Commands reach the server itself: it must be running.
    build: async ({ fixture, server }) => {
      if (server) await fixture.owner.client.waitForStatus(server.id, 'running', 90_000);
      return { body: { command: 'list' } };
    },
  },
  'SOCKET power': {
    status: 200,
    freshServer: true,
    build: ({ variant }) => ({ body: variant && { [variant.field]: variant.value } }),
  },
  // The caller's own access token again: a fresh token of the same account.
  'SOCKET auth': { status: 200, build: ({ caller }) => ({ body: { token: caller.token } }) },
  // An acknowledgement of a server the socket does not watch: accepted, and changes nothing.
  'SOCKET seen': { status: 200, build: () => ({ body: { serverId: randomUUID(), frames: 1 } }) },
  'GET /api/v1/servers/:id/files': onFiles(200, () => ({ query: { path: '/' } })),
  'GET /api/v1/servers/:id/files/stat': onFiles(200, () => ({ query: { path: matrixFile } })),
  'GET /api/v1/servers/:id/files/content': onFiles(200, () => ({ query: { path: matrixFile } })),
  'GET /api/v1/servers/:id/files/download': onFiles(200, () => ({ query: { path: matrixFile } })),
  // Replacing a file that exists: `file.update` alone (creating one needs `file.create` as well).
  'PUT /api/v1/servers/:id/files/content': onFiles(200, () => ({
    query: { path: matrixFile },
    body: new Blob(['matrix'], { type: 'application/octet-stream' }),
  })),
  'POST /api/v1/servers/:id/files/upload': onFiles(201, () => {
    const form = new FormData();
    form.append('file', new Blob(['matrix']), `upload-${randomBytes(6).toString('hex')}.txt`);
    return { query: { path: '/' }, body: form };
  }),
  'POST /api/v1/servers/:id/files/directory': onFiles(201, () => ({ body: { path: freshName('dir') } })),
  'POST /api/v1/servers/:id/files/rename': onFiles(200, async (context) => ({
    body: { from: await freshOr(context, () => freshFile(context)), to: freshName('renamed') },
  })),
  'POST /api/v1/servers/:id/files/copy': onFiles(201, () => ({ body: { from: matrixFile, to: freshName('copy') } })),
  'POST /api/v1/servers/:id/files/delete': onFiles(200, async (context) => ({
    body: { paths: [await freshOr(context, () => freshFile(context))] },
  })),
  'POST /api/v1/servers/:id/files/chmod': onFiles(200, () => ({ body: { path: matrixFile, mode: '644' } })),
  'POST /api/v1/servers/:id/files/compress': onFiles(201, () => ({
    body: { paths: [matrixFile], to: `${freshName('archive')}.tar.gz` },
  })),
  'POST /api/v1/servers/:id/files/extract': onFiles(200, () => ({
    body: { path: matrixArchive, to: freshName('extracted') },
  })),
};

// ── The file routes' samples: a running server holding a file and an archive ─────────────────────

const matrixFile = '/matrix.txt';
const matrixArchive = '/matrix.tar.gz';
const freshName = (prefix: string) => `/${prefix}-${randomBytes(6).toString('hex')}`;

const ownersFiles = ({ owner, server }: Pick<Fixture, 'owner' | 'server'>): FilesClient => {
  if (!server) throw new Error('a file route without a server');
  return new FilesClient(kit.stack.gatewayUrl, owner.session.accessToken, server.id);
};

/** Once per row: the server running (files are reached through its pod), with the file and archive samples use. */
async function filesReady(row: Pick<Fixture, 'owner' | 'server'>): Promise<string> {
  if (!row.server) throw new Error('a file route without a server');
  await row.owner.client.waitForStatus(row.server.id, 'running', 90_000);
  const files = ownersFiles(row);
  const written = await files.write(matrixFile, Buffer.from('matrix'));
  const archived = await files.post('compress', { paths: [matrixFile], to: matrixArchive });
  if (written.status !== 200 || archived.status !== 201) {
    throw new Error(`preparing the files answered ${written.status} and ${archived.status}`);
  }
  return matrixFile;
}

/** A file of its own for an allowed cell of a destructive route, made by the owner. */
async function freshFile({ fixture, server }: SampleContext): Promise<string> {
  const path = `${freshName('fresh')}.txt`;
  const written = await ownersFiles({ owner: fixture.owner, server }).write(path, Buffer.from('fresh'));
  if (written.status !== 200) throw new Error(`writing ${path} answered ${written.status}`);
  return path;
}

function onFiles(status: number, build: NonNullable<Sample['build']>): Sample {
  return { status, target: filesReady, build };
}

/** A refresh token of its own for each cell: a refresh rotates it, a logout ends it. */
async function aRefreshToken(): Promise<SampleRequest> {
  return { body: { refreshToken: (await kit.anonymous.login(world.bystander.user.email)).refreshToken } };
}

/** A sub-user of the row's server holding nothing, for the routes about one sub-user. */
async function subuserTarget({ owner, server }: Pick<Fixture, 'owner' | 'server'>): Promise<string> {
  if (!server) throw new Error('a sub-user route without a server');
  const account = await freshAccount();
  await kit.invite(owner.client, server.id, account, []);
  return account.user.id;
}

function asTarget({ fixture }: Pick<SampleContext, 'fixture'>): SampleRequest {
  if (!fixture.target) throw new Error('the row has no target');
  return { params: { userId: fixture.target } };
}

// ── The stack, and the catalogue it serves ───────────────────────────────────────────────────────

// The matrix signs up and logs in dozens of accounts from one address, one account several times at once
// (auth counts a login against the account before judging it), and gives an owner a server per allowed
// cell: limits and quotas that would stop that are raised (access.e2e-spec.ts tests the limits).
const stack = await startStack({
  env: {
    RATE_LIMIT_REGISTER_PER_SOURCE: '1000/1h',
    RATE_LIMIT_LOGIN_PER_SOURCE: '1000/15m',
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE: '1000/15m',
    RATE_LIMIT_PASSWORD_RESET_PER_SOURCE: '1000/1h',
    DEFAULT_QUOTA_SERVERS: '10',
    DEFAULT_QUOTA_CPU_CORES: '10',
    DEFAULT_QUOTA_MEMORY_MB: '100000',
    DEFAULT_QUOTA_DISK_GB: '1000',
  },
});
const kit = new AccessKit(stack);

interface Listed {
  routes: ApiRoute[];
  socketEvents: SocketEventInfo[];
  /** Entries that do not parse as route or event with one rule: printed as they came. */
  undeclared: string[];
}

async function readCatalogue(): Promise<Listed> {
  const answer = await kit.send(undefined, 'GET', '/api/v1/routes');
  const body = (answer.body ?? {}) as { routes?: unknown[]; socketEvents?: unknown[] };
  const undeclared: string[] = [];
  const keep = <T>(items: unknown[] | undefined, parse: (item: unknown) => { success: boolean; data?: T }) =>
    (items ?? []).flatMap((item) => {
      const parsed = parse(item);
      if (parsed.success && parsed.data !== undefined) return [parsed.data];
      undeclared.push(JSON.stringify(item));
      return [];
    });
  return {
    routes: keep(body.routes, (item) => apiRouteSchema.safeParse(item)),
    socketEvents: keep(body.socketEvents, (item) => socketEventInfoSchema.safeParse(item)),
    undeclared,
  };
}

const listed = await readCatalogue().catch(async (error: unknown) => {
  await stack.stop();
  throw error;
});
const cases = [
  ...listed.routes.flatMap(({ method, path, rule }) => casesOf(`${method} ${path}`, method, path, rule)),
  ...listed.socketEvents.flatMap(({ event, rule }) => casesOf(`SOCKET ${event}`, 'SOCKET', event, rule)),
];
/** Every route and socket event with a sample (one without fails the catalogue's test below). */
const runnable = cases.filter((row) => samples[row.key] !== undefined);

// ── The callers ──────────────────────────────────────────────────────────────────────────────────

interface World {
  admin: Account;
  granted: Account;
  others: Account;
  stranger: Account;
  removed: Account;
  suspended: Account;
  /** Nobody in particular: logs in for the session routes, is looked at by the admin routes. */
  bystander: Account;
}
let world: World;
const fixtures = new Map<string, Fixture>();

/** A row's server: the owner's, shared as the row's grants say, with a removed sub-user who once held them. */
async function serverFor(
  owner: Account,
  grants: Grants,
  who: Principal[] = ['granted', 'others', 'removed', 'suspended'],
): Promise<Server> {
  const server = await kit.createServer(owner.client);
  const held = { granted: grants.exact, others: grants.others, removed: grants.exact, suspended: [...permissions] };
  for (const [name, permissionSet] of Object.entries(held)) {
    const principal = name as keyof typeof held;
    if (who.includes(principal)) await kit.invite(owner.client, server.id, world[principal], permissionSet);
  }
  if (who.includes('removed')) await kit.removeSubuser(owner.client, server.id, world.removed.user.id);
  return server;
}

async function fixtureFor(row: Case): Promise<Fixture> {
  const grants = grantsFor(row.need);
  const owner = await kit.signUp();
  const server = row.rule.kind === 'server' ? await serverFor(owner, grants) : undefined;
  const [withKey, withoutKey] = await Promise.all([
    kit.createKey(owner.client, grants.exact),
    kit.createKey(owner.client, grants.others),
  ]);
  const target = await samples[row.key]?.target?.({ owner, server });
  return {
    owner,
    grants,
    keys: { with: withKey.secret, without: withoutKey.secret },
    ...(server ? { server } : {}),
    ...(target ? { target } : {}),
  };
}

function credentialOf(who: Principal, fixture: Fixture): string | undefined {
  switch (who) {
    case 'anonymous':
      return undefined;
    case 'keyWith':
      return fixture.keys.with;
    case 'keyWithout':
      return fixture.keys.without;
    case 'owner':
      return fixture.owner.session.accessToken;
    default:
      return world[who].session.accessToken;
  }
}

function pathOf(row: Case, params: Record<string, string>): string {
  return row.path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`the sample of ${row.key} gives no :${name}`);
    return value;
  });
}

async function probe(row: Case, who: Principal): Promise<Outcome> {
  const sample = samples[row.key];
  const fixture = fixtures.get(row.name);
  if (!sample || !fixture) throw new Error(`${row.name} has no sample or fixture`);
  const expected = expectationFor(row, who);
  const fresh = sample.freshServer === true && expected.allowed;
  // Only a sub-user needs sharing on a fresh server: the owner, its keys and an admin reach every one.
  const server = fresh ? await serverFor(fixture.owner, fixture.grants, [who]) : fixture.server;
  const credential = credentialOf(who, fixture);
  const request = (await sample.build?.({
    allowed: expected.allowed,
    caller: kit.as(credential),
    fixture,
    server,
    variant: row.variant,
  })) ?? { params: {} };
  if (row.method === 'SOCKET') {
    const payload = { ...(server ? { serverId: server.id } : {}), ...(request.body as object | undefined) };
    return probeSocket(kit.stack.gatewayUrl, credential, row.path, payload);
  }
  const params = { ...(server ? { id: server.id } : {}), ...request.params };
  const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
  return kit.send(credential, row.method, `${pathOf(row, params)}${query}`, request.body);
}

function assertCell(outcome: Outcome, expected: Expectation, sample: Sample, socket: boolean): void {
  if (expected.allowed) {
    // The body says why an allowed cell failed (e.g. an upstream error), so it is part of what is compared.
    expect({ status: outcome.status, body: outcome.status === sample.status ? 'as expected' : outcome.body }).toEqual({
      status: sample.status,
      body: 'as expected',
    });
    return;
  }
  const error: Record<string, unknown> = { code: expected.code };
  if (expected.message !== undefined) error['message'] = expected.message;
  if (expected.permission !== undefined) {
    error['details'] = { permission: expected.permission };
    error['message'] = expect.stringContaining(expected.permission);
  }
  expect(outcome).toMatchObject({
    status: expected.status,
    body: { error },
    // A socket's handshake has no HTTP challenge.
    ...(expected.status === 401 && !socket ? { challenge: expect.stringMatching(/^Bearer/) } : {}),
  });
}

beforeAll(async () => {
  const [admin, granted, others, stranger, removed, suspended, bystander] = await Promise.all([
    kit.admin(),
    kit.signUp(),
    kit.signUp(),
    kit.signUp(),
    kit.signUp(),
    kit.signUp(),
    kit.signUp(),
  ]);
  world = { admin, granted, others, stranger, removed, suspended, bystander };
  await kit.knownToServers(granted, others, removed, suspended, bystander);
  await Promise.all(runnable.map(async (row) => fixtures.set(row.name, await fixtureFor(row))));
  // Suspended last: until now they were invited, holding everything, on every row's server.
  await kit.suspend(admin.client, suspended.user.id);
}, 120_000);
afterAll(() => stack.stop(), 30_000);

describe('the route catalogue', () => {
  it('declares one rule on every route and socket event it lists', () => {
    expect(listed.undeclared).toEqual([]);
  });

  it('lists every kind of rule, so the matrix is not run over a stub', () => {
    const kinds = new Set(
      cases.map(({ rule, need }) =>
        rule.kind === 'server' ? `server ${need === 'any' || need === 'owner' ? need : 'permission'}` : rule.kind,
      ),
    );
    expect([...kinds].sort()).toEqual([
      'admin',
      'public',
      'server any',
      'server owner',
      'server permission',
      'signed-in',
    ]);
    expect(listed.routes.some((route) => route.rule.kind === 'server' && typeof route.rule.need === 'object')).toBe(
      true,
    );
    expect(listed.routes.some((route) => route.rule.kind === 'signed-in' && !route.rule.apiKeys)).toBe(true);
    expect(listed.routes.length).toBeGreaterThanOrEqual(30);
  });

  it('has a sample request for every route and socket event, and none for a route it no longer lists', () => {
    expect(cases.filter((row) => samples[row.key] === undefined).map((row) => row.name)).toEqual([]);
    const listedKeys = new Set(cases.map((row) => row.key));
    expect(Object.keys(samples).filter((key) => !listedKeys.has(key))).toEqual([]);
  });
});

describe.each(runnable)('$name', (row) => {
  const outcomes = new Map<Principal, Outcome>();
  const sample = samples[row.key] ?? nothing;

  // The cells of a row run at once; each is asserted on its own below.
  beforeAll(async () => {
    const answers = await Promise.all(everyone.map(async (who) => [who, await probe(row, who)] as const));
    for (const [who, outcome] of answers) outcomes.set(who, outcome);
  }, 60_000);

  const cells = everyone.map((who) => {
    const expected = expectationFor(row, who);
    return { who, caller: principals[who], expected, summary: summaryOf(expected) };
  });
  it.each(cells)('$caller: $summary', ({ who, expected }) => {
    const outcome = outcomes.get(who);
    if (!outcome) throw new Error(`no outcome for ${who}`);
    assertCell(outcome, expected, sample, row.method === 'SOCKET');
  });
});
