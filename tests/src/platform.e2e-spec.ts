import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrivateNats, type ServiceProcess, spawnService, uniqueNamespace, waitFor } from '@blockplane/testing';

const readyStatus = async (url: string) => (await fetch(`${url}/readyz`).catch(() => undefined))?.status;

describe('a service process', () => {
  it.each([
    [
      'a missing DATABASE_URL',
      'servers',
      { DATABASE_URL: '' },
      /^servers: Invalid configuration: DATABASE_URL is required/,
    ],
    [
      'a port that is not a number',
      'gateway',
      { PORT: 'eighty' },
      /^gateway: Invalid configuration: PORT="eighty" is invalid/,
    ],
    [
      'an unknown log level',
      'files',
      { LOG_LEVEL: 'loud' },
      /^files: Invalid configuration: LOG_LEVEL="loud" is invalid: expected one of/,
    ],
  ])('stops at start-up on %s with one clear line and a non-zero exit', async (_, name, env, line) => {
    const service = await spawnService(name, env, { waitReady: false });
    expect(await service.exited).toBe(1);
    expect(service.stderr().trim().split('\n')).toHaveLength(1);
    expect(service.stderr()).toMatch(line);
  });

  it('drains and exits 0 on SIGTERM, saying so in its JSON log', async () => {
    const service = await spawnService('auth');
    expect(await service.stop('SIGTERM')).toBe(0);
    const lines = service
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; service: string });
    expect(lines.every((l) => l.service === 'auth')).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  });
});

describe('the gateway in front of the services', () => {
  const namespace = uniqueNamespace();
  let gateway: ServiceProcess;
  let servers: ServiceProcess;

  beforeAll(async () => {
    [gateway, servers] = await Promise.all([
      spawnService('gateway', { NATS_NAMESPACE: namespace }),
      spawnService('servers', { NATS_NAMESPACE: namespace }),
    ]);
  });
  afterAll(() => Promise.all([gateway.stop(), servers.stop()]));

  it('carries the caller’s trace id from HTTP across the NATS hop into the service and its logs', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${gateway.url}/api/v1/status`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-trace-id')).toBe(traceId);
    const body = (await res.json()) as { services: { name: string; up: boolean; traceId?: string; error?: string }[] };
    const byName = Object.fromEntries(body.services.map((s) => [s.name, s]));
    expect(byName['servers']).toMatchObject({ up: true, traceId });
    expect(byName['auth']).toEqual({ name: 'auth', up: false, error: 'no service answers auth.ping' });
    await waitFor('the gateway request log line', () => gateway.stdout().includes(`"trace_id":"${traceId}"`));
  });
});

describe('readiness follows NATS', () => {
  let nats: PrivateNats;
  let service: ServiceProcess;

  beforeAll(async () => {
    nats = await PrivateNats.start();
    service = await spawnService('gateway', { NATS_URL: nats.url });
  });
  afterAll(async () => {
    await service.stop();
    await nats.stop();
  });

  it('turns 503 within 5 s of NATS going away and 200 within 5 s of its return, without a restart', async () => {
    expect(await readyStatus(service.url)).toBe(200);
    await nats.pause();
    await waitFor('503 without NATS', async () => (await readyStatus(service.url)) === 503, { timeoutMs: 5_000 });
    await nats.resume();
    await waitFor('200 with NATS back', async () => (await readyStatus(service.url)) === 200, { timeoutMs: 5_000 });
    expect(service.child.exitCode).toBeNull();
  });
});
