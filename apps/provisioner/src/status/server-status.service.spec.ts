import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { V1Pod, V1PodStatus } from '@kubernetes/client-node';
import type { EventEnvelope } from '@blockplane/contracts';
import type { EventPublisher } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { ServerStatusService, type ServerView } from './server-status.service.js';
import { StatusPublisher } from './status-publisher.js';

const t0 = Date.parse('2026-11-26T10:00:00Z');

/** A JetStream that stores nothing until `open()`: every publish waits, as under load. */
class SlowSink {
  readonly published: Array<{ type: string; data: EventEnvelope['data'] }> = [];
  open: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  async publish(type: string, data: EventEnvelope['data']): Promise<void> {
    this.published.push({ type, data });
    await this.gate;
  }
}

const view = (uid: string, status: V1PodStatus): ServerView => {
  const pod: V1Pod = { metadata: { name: `mc-${uid}-0`, uid }, status };
  return {
    statefulSet: { spec: { replicas: 1, selector: {}, serviceName: '', template: {} } },
    pods: [pod],
    events: [],
  };
};
const scheduled = { type: 'PodScheduled', status: 'True' };
const pending = (uid: string) => view(uid, { phase: 'Pending' });
const starting = (uid: string) => view(uid, { phase: 'Pending', conditions: [scheduled] });
const ready = (uid: string) =>
  view(uid, { phase: 'Running', conditions: [scheduled, { type: 'Ready', status: 'True' }] });

let sink: SlowSink;
let status: ServerStatusService;

beforeEach(() => {
  jest.useFakeTimers({ now: t0, doNotFake: ['setImmediate'] });
  sink = new SlowSink();
  const logger = createLogger('status-test', { level: 'silent' });
  status = new ServerStatusService(new StatusPublisher(sink as unknown as EventPublisher, logger));
});

afterEach(() => {
  jest.useRealTimers();
});

/** Lets pending publishes start, as the event loop does between two informer callbacks. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const at = (ms: number) => new Date(t0 + ms).toISOString();

describe('ServerStatusService', () => {
  it('stamps views when observed and, while a publish is slow, sends only the newest one of each server', async () => {
    const first = status.refresh('a', pending('pa'));
    await tick();
    jest.setSystemTime(t0 + 1_000);
    void status.refresh('a', starting('pa'));
    await tick();
    jest.setSystemTime(t0 + 2_000);
    const last = status.refresh('a', ready('pa'));
    const other = status.refresh('b', ready('pb'));
    await tick();
    jest.setSystemTime(t0 + 10_000);
    sink.open();
    await Promise.all([first, last, other]);

    expect(sink.published).toEqual([
      { type: 'pod.pending', data: expect.objectContaining({ serverId: 'a', observedAt: at(0) }) },
      // Server b did not wait for server a's slow publish.
      { type: 'pod.ready', data: expect.objectContaining({ serverId: 'b', observedAt: at(2_000) }) },
      { type: 'pod.ready', data: expect.objectContaining({ serverId: 'a', observedAt: at(2_000) }) },
    ]);
  });

  it("orders one server's observations strictly, even within one millisecond", async () => {
    sink.open();
    await status.refresh('a', pending('pa'));
    await status.refresh('a', ready('pa'));
    const [first, second] = sink.published.map((p) => (p.data as { observedAt: string }).observedAt);
    expect(first).toBe(at(0));
    expect(second).toBe(at(1));
  });

  it('publishes a view once, and again after the server is forgotten', async () => {
    sink.open();
    await status.refresh('a', ready('pa'));
    await status.refresh('a', ready('pa'));
    expect(sink.published).toHaveLength(1);
    status.forget('a');
    await status.refresh('a', ready('pa'));
    expect(sink.published).toHaveLength(2);
  });
});
