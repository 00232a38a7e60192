// Malformed requests get upstream's 4xx Status answers, never a crash, a hang or a 5xx,
// and the server keeps answering afterwards.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@blockplane/testing';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import type { KubeSim } from '../index.js';
import { startTestSim } from '../test-sim.spec-support.js';
import type { LooseJson } from './test-api-server.spec-support.js';

interface BadRequest {
  what: string;
  method: string;
  path: string;
  body?: string;
  type?: string;
  code: number;
  message?: RegExp;
}

const CM = '/api/v1/namespaces/default/configmaps';
const POD = '/api/v1/namespaces/default/pods/tool';
const json = (value: unknown) => JSON.stringify(value);
const configMap = (metadata: unknown) => json({ apiVersion: 'v1', kind: 'ConfigMap', metadata });
const patch = (what: string, type: string, body: string, code: number, message?: RegExp): BadRequest => ({
  what: `${type}: ${what}`,
  method: 'PATCH',
  path: `${CM}/c1?fieldManager=spec`,
  type: `application/${type}`,
  body,
  code,
  ...(message ? { message } : {}),
});

const corpus: BadRequest[] = [
  {
    what: 'garbage JSON',
    method: 'POST',
    path: CM,
    body: '{not json',
    code: 400,
    message: /^error decoding request body/,
  },
  {
    what: 'a JSON array',
    method: 'POST',
    path: CM,
    body: '[]',
    code: 400,
    message: /cannot be handled as a ConfigMap/,
  },
  { what: 'JSON null', method: 'POST', path: CM, body: 'null', code: 400 },
  {
    what: 'the wrong kind',
    method: 'POST',
    path: CM,
    body: json({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }),
    code: 400,
    message: /must be of type ConfigMap/,
  },
  {
    what: 'a missing name',
    method: 'POST',
    path: CM,
    body: configMap({}),
    code: 422,
    message: /name or generateName is required/,
  },
  {
    what: 'a huge name',
    method: 'POST',
    path: CM,
    body: configMap({ name: 'a'.repeat(300) }),
    code: 422,
    message: /must be no more than 253 characters/,
  },
  {
    what: 'an invalid name',
    method: 'POST',
    path: CM,
    body: configMap({ name: 'Not_Valid' }),
    code: 422,
    message: /RFC 1123/,
  },
  { what: 'metadata that is not an object', method: 'POST', path: CM, body: configMap('x'), code: 422 },
  {
    what: 'a pod without containers',
    method: 'POST',
    path: '/api/v1/namespaces/default/pods',
    body: json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: 5 }),
    code: 422,
  },
  {
    what: 'a missing namespace',
    method: 'POST',
    path: '/api/v1/namespaces/no-such-ns/configmaps',
    body: configMap({ name: 'x' }),
    code: 404,
    message: /namespaces "no-such-ns" not found/,
  },
  { what: 'a body over 3 MiB', method: 'POST', path: CM, body: 'x'.repeat(4 * 2 ** 20), code: 413 },
  {
    what: 'a renamed object',
    method: 'PUT',
    path: `${CM}/c1`,
    body: configMap({ name: 'other' }),
    code: 400,
    message: /does not match the name on the URL/,
  },
  { what: 'a huge name in the URL', method: 'GET', path: `${CM}/${'a'.repeat(300)}`, code: 404 },
  { what: 'an unknown resource', method: 'GET', path: '/api/v1/namespaces/default/widgets', code: 404 },
  { what: 'an unknown group', method: 'GET', path: '/apis/nope.example.com/v1/things', code: 404 },
  { what: 'an unknown version', method: 'GET', path: '/api/v2/pods', code: 404 },
  { what: 'an unknown subresource', method: 'GET', path: `${POD}/frobnicate`, code: 404 },
  {
    what: 'a write to read-only metrics',
    method: 'POST',
    path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods',
    body: '{}',
    code: 405,
  },
  { what: 'PUT on a collection', method: 'PUT', path: CM, body: '{}', code: 405 },
  {
    what: 'a label selector with ===',
    method: 'GET',
    path: `${CM}?labelSelector=${encodeURIComponent('a===b')}`,
    code: 400,
    message: /unable to parse requirement/,
  },
  {
    what: 'a label selector with a bad key',
    method: 'GET',
    path: `${CM}?labelSelector=!!`,
    code: 400,
    message: /invalid label key/,
  },
  {
    what: 'an unterminated set selector',
    method: 'GET',
    path: `${CM}?labelSelector=${encodeURIComponent('a in (b')}`,
    code: 400,
  },
  {
    what: 'an unsupported field selector',
    method: 'GET',
    path: `/api/v1/namespaces/default/pods?fieldSelector=spec.bogus%3Dx`,
    code: 400,
    message: /field label not supported/,
  },
  {
    what: 'timeoutSeconds=abc',
    method: 'GET',
    path: `${CM}?watch=true&timeoutSeconds=abc`,
    code: 400,
    message: /invalid syntax/,
  },
  { what: 'limit=NaN', method: 'GET', path: `${CM}?limit=NaN`, code: 400, message: /invalid syntax/ },
  {
    what: 'resourceVersion=abc',
    method: 'GET',
    path: `${CM}?watch=true&resourceVersion=abc`,
    code: 400,
    message: /invalid resource version/,
  },
  {
    what: 'gracePeriodSeconds=abc',
    method: 'DELETE',
    path: `${CM}/c1?gracePeriodSeconds=abc`,
    code: 400,
    message: /invalid syntax/,
  },
  { what: 'delete options that are not JSON', method: 'DELETE', path: `${CM}/c1`, body: '{bad', code: 400 },
  {
    what: 'an unknown propagation policy',
    method: 'DELETE',
    path: `${CM}/c1`,
    body: json({ propagationPolicy: 'Sideways' }),
    code: 400,
  },
  { what: 'dryRun', method: 'POST', path: `${CM}?dryRun=All`, body: configMap({ name: 'd' }), code: 400 },
  patch('garbage', 'merge-patch+json', '{bad', 400),
  patch('garbage', 'json-patch+json', '{bad', 400),
  patch('an object instead of a list', 'json-patch+json', '{"op":"add"}', 400, /cannot unmarshal object/),
  patch('an unknown op', 'json-patch+json', json([{ op: 'frobnicate', path: '/data' }]), 422),
  patch(
    'a missing path',
    'json-patch+json',
    json([{ op: 'replace', path: '/nope/deeper', value: 1 }]),
    422,
    /missing path/,
  ),
  patch(
    'a failed test',
    'json-patch+json',
    json([{ op: 'test', path: '/data/a', value: 'zzz' }]),
    422,
    /testing value/,
  ),
  patch('garbage', 'strategic-merge-patch+json', '{bad', 400),
  patch('a list', 'strategic-merge-patch+json', '[1]', 422),
  patch('garbage', 'apply-patch+yaml', '{bad: [', 400),
  { ...patch('an unknown patch type', 'x-unknown', '{}', 415), type: 'text/plain' },
  {
    what: 'a patch of a missing object',
    method: 'PATCH',
    path: `${CM}/missing`,
    type: 'application/merge-patch+json',
    body: '{}',
    code: 404,
  },
  {
    what: 'logs of an unknown pod',
    method: 'GET',
    path: '/api/v1/namespaces/default/pods/nopod/log',
    code: 404,
    message: /pods "nopod" not found/,
  },
  {
    what: 'logs of an unknown container',
    method: 'GET',
    path: `${POD}/log?container=nope`,
    code: 400,
    message: /container nope is not valid for pod tool/,
  },
  {
    what: 'tailLines=-1',
    method: 'GET',
    path: `${POD}/log?tailLines=-1`,
    code: 400,
    message: /must be greater than or equal to 0/,
  },
  { what: 'tailLines=abc', method: 'GET', path: `${POD}/log?tailLines=abc`, code: 400 },
  {
    what: 'sinceTime=yesterday',
    method: 'GET',
    path: `${POD}/log?sinceTime=yesterday`,
    code: 400,
    message: /parsing time "yesterday"/,
  },
  {
    what: 'sinceSeconds with sinceTime',
    method: 'GET',
    path: `${POD}/log?sinceSeconds=1&sinceTime=2026-01-01T00:00:00Z`,
    code: 400,
  },
  {
    what: 'exec without an upgrade',
    method: 'POST',
    path: `${POD}/exec?command=ls&stdout=true`,
    code: 400,
    message: /Upgrade request required/,
  },
];

let sim: KubeSim;

/** Sends one request; a hang fails the case. */
const send = async (
  req: Pick<BadRequest, 'method' | 'path' | 'body' | 'type'>,
): Promise<{ status: number; contentType: string | null; body: LooseJson }> => {
  const res = await fetch(sim.url + req.path, {
    method: req.method,
    headers: { 'Content-Type': req.type ?? 'application/json' },
    ...(req.body !== undefined ? { body: req.body } : {}),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.json() };
};

/** The answer to a WebSocket exec upgrade the server refuses. */
const refusedUpgrade = (path: string) =>
  new Promise<{ code: number | undefined; body: string }>((resolve, reject) => {
    const ws = new WebSocket(sim.url.replace(/^http/, 'ws') + path, ['v5.channel.k8s.io']);
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode, body }));
    });
  });

beforeAll(async () => {
  sim = await startTestSim();
  expect(
    (
      await send({
        method: 'POST',
        path: CM,
        body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: { a: '1' } }),
      })
    ).status,
  ).toBe(201);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'tool' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
  expect((await send({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: json(pod) })).status).toBe(201);
  await waitFor(
    'tool Running',
    async () => (await send({ method: 'GET', path: POD })).body.status?.phase === 'Running',
  );
});
afterAll(async () => sim?.stop());

describe('a corpus of malformed requests', () => {
  it.each(corpus.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    const res = await send(c);
    expect(res.contentType).toMatch(/^application\/json/);
    const status = res.body;
    expect({ http: res.status, ...status }).toMatchObject({
      http: c.code,
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: c.code,
    });
    if (c.message) expect(status.message).toMatch(c.message);
  });

  it('refuses exec upgrades without a command or for an unknown pod with a Status', async () => {
    const noCommand = await refusedUpgrade(`${POD}/exec?stdout=true`);
    expect(noCommand.code).toBe(400);
    expect(JSON.parse(noCommand.body)).toMatchObject({
      kind: 'Status',
      code: 400,
      message: 'you must specify at least 1 command',
    });
    const unknown = await refusedUpgrade('/api/v1/namespaces/default/pods/nopod/exec?command=ls&stdout=true');
    expect(JSON.parse(unknown.body)).toMatchObject({ kind: 'Status', code: 404 });
  });

  it('still answers afterwards, with c1 untouched', async () => {
    const res = await send({ method: 'GET', path: `${CM}/c1` });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ a: '1' });
    expect((await send({ method: 'GET', path: '/version' })).status).toBe(200);
  });
});
