import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceDefinition } from './run-service.js';
import { type RunningService, startTestService } from './testing/service-harness.js';

const IDLE_MS = 1_000;
const definition: ServiceDefinition<Record<string, never>> = {
  name: 'gateway',
  defaultPort: 0,
  sections: {},
  modules: () => [],
};

/** A raw connection sending a JSON POST's headers; the body is written by the test, at its own pace. */
async function openPost(
  url: string,
  bodyLength: number,
): Promise<{ socket: Socket; closed: Promise<unknown>; answer: () => string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  const closed = once(socket, 'close');
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.write(
    `POST /nowhere HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${bodyLength}\r\nConnection: close\r\n\r\n`,
  );
  return { socket, closed, answer: () => answer };
}

describe('HTTP connection timeouts', () => {
  let service: RunningService;

  beforeAll(async () => {
    service = await startTestService(definition, { HTTP_IDLE_TIMEOUT_MS: String(IDLE_MS) });
  });
  afterAll(() => service.close());

  it('lets a request whose body keeps coming take longer than the idle limit', async () => {
    const body = '{"slow":"' + 'x'.repeat(6) + '"}';
    const { socket, closed, answer } = await openPost(service.url, body.length);
    const started = Date.now();
    for (const char of body) {
      socket.write(char);
      await sleep(IDLE_MS / 5);
    }
    await closed;
    expect(Date.now() - started).toBeGreaterThan(2 * IDLE_MS);
    expect(answer()).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('cuts a connection that goes quiet mid-body, without an answer', async () => {
    const { socket, closed, answer } = await openPost(service.url, 100);
    socket.write('{"half":');
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(answer()).toBe('');
  });
});
