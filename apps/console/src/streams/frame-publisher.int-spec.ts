import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type ConsoleFrame, consoleFrameBatchSchema, consoleFramesSubject } from '@blockplane/contracts';
import { NatsConnection } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { testEnv, uniqueNamespace, waitFor } from '@blockplane/testing';
import { FramePublisher } from './frame-publisher.js';

const logger = createLogger('frame-publisher-test', { level: 'silent' });

let nats: NatsConnection;
let publisher: FramePublisher;
/** The messages each holder got, as sent: one batch of frames each. */
const received = new Map<string, { bytes: number; frames: ConsoleFrame[] }[]>();

const listen = (holder: string) => {
  received.set(holder, []);
  nats.connection.subscribe(nats.liveSubject(consoleFramesSubject(holder)), {
    callback: (_error, message) => {
      const frames = consoleFrameBatchSchema.parse(message.json());
      received.get(holder)?.push({ bytes: message.data.length, frames });
    },
  });
};
const output = (serverId: string, text: string): ConsoleFrame => ({
  type: 'output',
  serverId,
  epoch: 'run-1',
  lines: [{ seq: 0, time: new Date().toISOString(), kind: 'output', text }],
});

beforeAll(async () => {
  nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace: uniqueNamespace() }, 'frame-publisher', logger);
  publisher = new FramePublisher(nats, logger);
  listen('gw-a');
  listen('gw-b');
  await nats.connection.flush();
});

afterAll(async () => {
  await nats.close();
});

describe('the frame publisher', () => {
  it('sends the frames of one turn as one message per holder, each server’s in order', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    publisher.publish(output(first, 'one'), ['gw-a', 'gw-b']);
    publisher.publish(output(second, 'two'), ['gw-a']);
    publisher.publish(output(first, 'three'), ['gw-a', 'gw-b']);
    publisher.publish(output(second, 'nobody'), []);
    await waitFor('both messages', () => received.get('gw-a')?.length === 1 && received.get('gw-b')?.length === 1);
    const texts = (holder: string) =>
      received.get(holder)?.map(({ frames }) => frames.map((f) => (f.type === 'output' ? f.lines[0]?.text : f.type)));
    expect(texts('gw-a')).toEqual([['one', 'two', 'three']]);
    expect(texts('gw-b')).toEqual([['one', 'three']]);
  });

  it('cuts a turn’s frames into several messages well under the NATS payload limit', async () => {
    received.set('gw-a', []);
    const serverId = randomUUID();
    const texts = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(150_000));
    for (const text of texts) publisher.publish(output(serverId, text), ['gw-a']);
    await waitFor('every frame', () => received.get('gw-a')?.flatMap(({ frames }) => frames).length === texts.length);
    const messages = received.get('gw-a') ?? [];
    expect(messages.length).toBeGreaterThan(1);
    for (const { bytes } of messages) expect(bytes).toBeLessThan(512 * 1024);
    const got = messages.flatMap(({ frames }) => frames.map((f) => (f.type === 'output' ? f.lines[0]?.text : '')));
    expect(got).toEqual(texts);
  });
});
