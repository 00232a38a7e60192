import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CreateServerRequest, Server } from '@blockplane/contracts';
import { type Answer, type ErrorBody, GatewayClient, type Stack, startStack, waitFor } from '@blockplane/testing';
import { Cluster } from './cluster.js';

const valid: CreateServerRequest = { name: 'ok', type: 'paper', version: 'LATEST', plan: 'small' };

/** The fields a validation error names, as dotted paths. */
function fieldsOf(answer: Answer): string[] {
  const details = (answer.body as ErrorBody).error.details;
  if (!Array.isArray(details)) return [];
  return details.map((d: { path: unknown; message: unknown }) => {
    expect(typeof d.message).toBe('string');
    return Array.isArray(d.path) ? d.path.join('.') : String(d.path);
  });
}

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: (answer.body as ErrorBody | undefined)?.error?.code }).toEqual({
    status,
    code,
  });
}

describe('bad input through the real stack', () => {
  let stack: Stack;
  let cluster: Cluster;
  let alice: GatewayClient;
  let bob: GatewayClient;
  let bobsServer: Server;

  beforeAll(async () => {
    stack = await startStack();
    cluster = new Cluster(stack.kubeconfigPath, stack.gameNamespace);
    [{ client: alice }, { client: bob }] = await Promise.all([
      GatewayClient.signUp(stack.gatewayUrl),
      GatewayClient.signUp(stack.gatewayUrl),
    ]);
    bobsServer = (await bob.request<Server>('POST', 'servers', { ...valid, name: "bob's" })).body;
  }, 120_000);
  afterAll(() => stack?.stop(), 30_000);

  it.each<[string, Partial<Record<keyof CreateServerRequest, string>>, string]>([
    ['an unknown plan', { plan: 'gigantic' }, 'plan'],
    ['an unknown type', { type: 'bukkit' }, 'type'],
    ['an unknown version', { version: '0.0.1' }, 'version'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name of 65 characters', { name: 'x'.repeat(65) }, 'name'],
    ['a name with a control character', { name: 'evil\u0007bell' }, 'name'],
    ['a name with a newline', { name: 'two\nlines' }, 'name'],
  ])('refuses %s with 400 naming the field', async (_, change, field) => {
    const answer = await alice.request('POST', 'servers', { ...valid, ...change });
    expectError(answer, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(answer)).toContain(field);
  });

  it('refuses unknown and missing fields', async () => {
    const unknown = await alice.request('POST', 'servers', { ...valid, replicas: 3 });
    expectError(unknown, 400, 'VALIDATION_FAILED');
    const { plan: _, ...withoutPlan } = valid;
    const missing = await alice.request('POST', 'servers', withoutPlan);
    expectError(missing, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(missing)).toContain('plan');
  });

  it('refuses a power action it does not know', async () => {
    const answer = await bob.request('POST', `servers/${bobsServer.id}/power`, { action: 'explode' });
    expectError(answer, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(answer)).toContain('action');
  });

  it('refuses malformed JSON with 400', async () => {
    expectError(await alice.request('POST', 'servers', '{"name": "half'), 400, 'VALIDATION_FAILED');
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const answer = await alice.request('POST', 'servers', { ...valid, name: 'x'.repeat(70 * 1024) });
    expectError(answer, 413, 'PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['GET', 'servers/not-a-uuid'],
    ['GET', 'servers/42'],
    ['POST', 'servers/%27%20or%201=1/power'],
    ['DELETE', 'servers/00000000-0000-0000-0000-00000000000g'],
  ])('answers 404 to %s %s: an id that is not an id', async (method, path) => {
    const answer = await alice.request(method, path, method === 'POST' ? { action: 'start' } : undefined);
    expectError(answer, 404, 'NOT_FOUND');
  });

  it('hides another user’s server: 404 on get, power and delete', async () => {
    expectError(await alice.request('GET', `servers/${bobsServer.id}`), 404, 'NOT_FOUND');
    expectError(await alice.request('POST', `servers/${bobsServer.id}/power`, { action: 'stop' }), 404, 'NOT_FOUND');
    expectError(await alice.request('DELETE', `servers/${bobsServer.id}`), 404, 'NOT_FOUND');
    expect((await bob.server(bobsServer.id)).status).not.toMatch(/stopp|delet/);
  });

  it.each([
    ['GET', 'servers'],
    ['POST', 'servers'],
    ['GET', 'me'],
    ['GET', 'me/usage'],
    ['DELETE', `servers/00000000-0000-4000-8000-000000000000`],
  ])('answers 401 with WWW-Authenticate to %s %s without a token', async (method, path) => {
    const anonymous = new GatewayClient(stack.gatewayUrl);
    const answer = await anonymous.request(method, path, method === 'POST' ? valid : undefined);
    expectError(answer, 401, 'UNAUTHENTICATED');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const forged = new GatewayClient(stack.gatewayUrl, 'eyJhbGciOiJub25lIn0.e30.');
    expectError(await forged.request(method, path, method === 'POST' ? valid : undefined), 401, 'UNAUTHENTICATED');
  });

  it('half-created nothing: alice has no server, and the cluster holds only bob’s', async () => {
    expect((await alice.dashboard()).servers).toEqual([]);
    expect((await alice.usage()).servers.used).toBe(0);
    const sets = await waitFor('bob’s StatefulSet', async () => {
      const list = await cluster.apps.listNamespacedStatefulSet({ namespace: stack.gameNamespace });
      return list.items.length > 0 && list.items;
    });
    expect(sets.map((s) => JSON.stringify(s.metadata))).toEqual([expect.stringContaining(bobsServer.id)]);
  });
});
