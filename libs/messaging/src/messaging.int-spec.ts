import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { DomainError, type EventEnvelope } from '@blockplane/contracts';
import { createLogger, currentTraceId, inSpan, SpanKind, startTelemetry } from '@blockplane/observability';
import { testEnv, uniqueNamespace, waitFor } from '@blockplane/testing';
import { DurableEventConsumer } from './event-consumer.js';
import { EventPublisher } from './event-publisher.js';
import { ensureEventStream, eventStreamName } from './event-stream.js';
import type { InboxStore } from './inbox-store.js';
import { NatsConnection } from './nats-connection.js';
import { RpcClient } from './rpc-client.js';
import { RpcResponder } from './rpc-responder.js';

const logger = createLogger('messaging-test', { level: (process.env['TEST_LOG'] as 'debug') ?? 'silent' });
const namespace = uniqueNamespace();
const open = () => NatsConnection.open({ url: testEnv.natsUrl, namespace }, 'messaging-test', logger);

/** A set-backed inbox: the PostgreSQL one is tested in @blockplane/database. */
class SetInbox implements InboxStore {
  readonly seen = new Set<string>();
  async runOnce(consumer: string, eventId: string, work: () => Promise<void>): Promise<boolean> {
    const key = `${consumer}/${eventId}`;
    if (this.seen.has(key)) return false;
    await work();
    this.seen.add(key);
    return true;
  }
}

const serverId = randomUUID();
const observedAt = new Date().toISOString();

describe('messaging over a real NATS', () => {
  let nats: NatsConnection;

  beforeAll(async () => {
    startTelemetry('messaging-test', { exporter: 'none', otlpEndpoint: 'http://127.0.0.1:4318' });
    nats = await open();
  });

  afterAll(async () => {
    const jsm = await jetstreamManager(nats.connection);
    await jsm.streams.delete(eventStreamName(namespace)).catch(() => undefined);
    await nats.close();
  });

  describe('request/reply', () => {
    let responder: RpcResponder;
    let failing: RpcResponder;
    let oversized: RpcResponder;
    let client: RpcClient;

    beforeAll(() => {
      responder = new RpcResponder(
        nats,
        `${namespace}.servers`,
        {
          subject: 'servers.ping',
          handle: async () => {
            const traceId = currentTraceId();
            return { service: 'servers', version: 'test', uptimeSeconds: 1, ...(traceId ? { traceId } : {}) };
          },
        },
        logger,
      );
      failing = new RpcResponder(
        nats,
        `${namespace}.auth`,
        {
          subject: 'auth.ping',
          handle: async () => {
            throw new DomainError('NOT_FOUND', 'no such thing', { id: 7 });
          },
        },
        logger,
      );
      // Answers more than NATS's max_payload (1 MB by default).
      oversized = new RpcResponder(
        nats,
        `${namespace}.console`,
        {
          subject: 'console.ping',
          handle: async () => ({ service: 'console', version: 'x'.repeat(2 * 1024 * 1024), uptimeSeconds: 1 }),
        },
        logger,
      );
      responder.start();
      failing.start();
      oversized.start();
      client = new RpcClient(nats);
    });

    afterAll(() => Promise.all([responder.stop(), failing.stop(), oversized.stop()]));

    it('carries a domain error back to the caller with its code, message and details', async () => {
      const error = await client.request('auth.ping', {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).toBody()).toEqual({
        code: 'NOT_FOUND',
        message: 'no such thing',
        details: { id: 7 },
      });
    });

    it('answers with the typed response, inside the caller’s trace', async () => {
      await inSpan('test', { kind: SpanKind.INTERNAL }, async () => {
        const answer = await client.request('servers.ping', {});
        expect(answer.service).toBe('servers');
        expect(answer.traceId).toBe(currentTraceId());
        expect(answer.traceId).toMatch(/^[\da-f]{32}$/);
      });
    });

    it('answers a reply NATS refuses as a small INTERNAL error, and keeps answering', async () => {
      const started = Date.now();
      await expect(client.request('console.ping', {})).rejects.toMatchObject({
        code: 'INTERNAL',
        message: 'reply too large',
      });
      expect(Date.now() - started).toBeLessThan(1_000);
      await expect(client.request('console.ping', {})).rejects.toMatchObject({ code: 'INTERNAL' });
    });

    it('refuses a request that breaks its schema with VALIDATION_FAILED', async () => {
      const bad = { unexpected: true } as unknown as Record<string, never>;
      await expect(client.request('servers.ping', bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('answers a reply that is not JSON as an INTERNAL error, not a parse failure', async () => {
      const garbled = nats.connection.subscribe(nats.rpcSubject('provisioner.ping'), {
        callback: (_error, message) => {
          message.respond('<html>not an RPC reply</html>');
        },
      });
      const error = await client.request('provisioner.ping', {}).catch((e: unknown) => e);
      garbled.unsubscribe();
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).toBody()).toEqual({
        code: 'INTERNAL',
        message: 'provisioner.ping answered with a malformed reply',
      });
    });

    it('maps "nobody answers" to UPSTREAM_UNAVAILABLE at once', async () => {
      const started = Date.now();
      await expect(client.request('files.ping', {})).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });

  describe('JetStream events', () => {
    it('creates the stream idempotently', async () => {
      const jsm = await jetstreamManager(nats.connection);
      expect(await ensureEventStream(jsm, namespace)).toBe(eventStreamName(namespace));
      expect(await ensureEventStream(jsm, namespace)).toBe(eventStreamName(namespace));
      const info = await jsm.streams.info(eventStreamName(namespace));
      expect(info.config.subjects).toEqual([`${namespace}.events.>`]);
    });

    it('de-duplicates a republished envelope by its id', async () => {
      const jsm = await jetstreamManager(nats.connection);
      await ensureEventStream(jsm, namespace);
      const publisher = new EventPublisher(nats);
      const before = (await jsm.streams.info(eventStreamName(namespace))).state.messages;
      const envelope = await publisher.publish('pod.ready', { serverId, podName: 'mc-0', address: null, observedAt });
      await publisher.publishEnvelope(envelope);
      const after = (await jsm.streams.info(eventStreamName(namespace))).state.messages;
      expect(after - before).toBe(1);
    });

    it('redelivers to a restarted durable consumer what the first never acked, and handles it once', async () => {
      const jsm = await jetstreamManager(nats.connection);
      await ensureEventStream(jsm, namespace);
      const inbox = new SetInbox();
      const handled: EventEnvelope[] = [];
      const durable = `test-${randomUUID().slice(0, 8)}`;
      const options = { ackWaitMs: 500, maxDeliver: 5 };

      // The first consumer takes the event and dies before finishing it: its connection drops
      // mid-work, then the work fails, so nothing is acked or committed.
      const doomed = await open();
      let received!: () => void;
      let crash!: (error: Error) => void;
      const took = new Promise<void>((resolve) => (received = resolve));
      const crashed = new Promise<void>((_, reject) => (crash = reject));
      const first = new DurableEventConsumer(
        doomed,
        eventStreamName(namespace),
        { durable, subject: 'server.stopped', handle: () => (received(), crashed) },
        inbox,
        logger,
        options,
      );
      await first.start(jsm);
      const published = await inSpan('publish', { kind: SpanKind.PRODUCER }, async () => {
        return {
          envelope: await new EventPublisher(nats).publish('server.stopped', { serverId, observedAt }),
          traceId: currentTraceId(),
        };
      });
      await took;
      await doomed.connection.close();
      crash(new Error('process died'));
      await first.stop();

      const second = new DurableEventConsumer(
        nats,
        eventStreamName(namespace),
        {
          durable,
          subject: 'server.stopped',
          handle: async (event) => {
            handled.push(event);
          },
        },
        inbox,
        logger,
        options,
      );
      await second.start(jsm);
      await waitFor('redelivery', () => handled.length === 1);
      await waitFor(
        'ack',
        async () => (await jsm.consumers.info(eventStreamName(namespace), durable)).num_ack_pending === 0,
      );
      await second.stop();

      expect(handled).toHaveLength(1);
      expect(handled[0]).toEqual(published.envelope);
      expect(handled[0]?.trace?.traceparent).toContain(published.traceId);
      const info = await jsm.consumers.info(eventStreamName(namespace), durable);
      expect(info.delivered.consumer_seq).toBeGreaterThanOrEqual(2);
      expect(info.num_pending).toBe(0);
    });

    it('works on events side by side up to its concurrency, and on one key’s events in stream order', async () => {
      const jsm = await jetstreamManager(nats.connection);
      await ensureEventStream(jsm, namespace);
      const durable = `keyed-${randomUUID().slice(0, 8)}`;
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      const keys = new Map<string, number>([a, b, c].map((id, index) => [id, index]));
      const started: string[] = [];
      const release = new Map<string, () => void>();
      const label = (event: EventEnvelope) => {
        const { serverId, observedAt } = event.data as { serverId: string; observedAt: string };
        return `${keys.get(serverId)}@${observedAt}`;
      };
      const consumer = new DurableEventConsumer(
        nats,
        eventStreamName(namespace),
        {
          durable,
          subject: 'server.stopped',
          concurrency: 4,
          orderBy: (event) => (event.data as { serverId: string }).serverId,
          // Events earlier tests left in the stream go straight through.
          handle: async (event) => {
            if (!keys.has((event.data as { serverId: string }).serverId)) return;
            await new Promise<void>((resolve) => {
              started.push(label(event));
              release.set(label(event), resolve);
            });
          },
        },
        new SetInbox(),
        logger,
      );
      await consumer.start(jsm);
      try {
        const publisher = new EventPublisher(nats);
        const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
        // a, b, a, c, b: three servers at once; the second a and the second b wait for the first of theirs.
        for (const [n, serverId] of [a, b, a, c, b].entries())
          await publisher.publish('server.stopped', { serverId, observedAt: at(n) });
        await waitFor('three servers at once', () => started.length === 3);
        expect([...started].sort()).toEqual([`0@${at(0)}`, `1@${at(1)}`, `2@${at(3)}`]);
        release.get(`0@${at(0)}`)?.();
        await waitFor('the second event of a', () => started.includes(`0@${at(2)}`));
        for (const done of [`1@${at(1)}`, `2@${at(3)}`, `0@${at(2)}`]) release.get(done)?.();
        await waitFor('the second event of b', () => started.includes(`1@${at(4)}`));
        release.get(`1@${at(4)}`)?.();
        await waitFor('everything acked', async () => {
          const info = await jsm.consumers.info(eventStreamName(namespace), durable);
          return info.num_pending === 0 && info.num_ack_pending === 0;
        });
        expect(started).toHaveLength(5);
      } finally {
        for (const done of release.values()) done();
        await consumer.stop();
      }
    });

    it('terminates a malformed event instead of redelivering it', async () => {
      const jsm = await jetstreamManager(nats.connection);
      await ensureEventStream(jsm, namespace);
      const durable = `bad-${randomUUID().slice(0, 8)}`;
      const handled: EventEnvelope<'pod.ready'>[] = [];
      const consumer = new DurableEventConsumer(
        nats,
        eventStreamName(namespace),
        {
          durable,
          subject: 'pod.ready',
          handle: async (event) => void handled.push(event as EventEnvelope<'pod.ready'>),
        },
        new SetInbox(),
        logger,
        { ackWaitMs: 500, maxDeliver: 5 },
      );
      await consumer.start(jsm);
      const js = (await import('@nats-io/jetstream')).jetstream(nats.connection);
      await js.publish(
        nats.eventSubject('pod.ready'),
        JSON.stringify({ id: 'not-a-uuid', type: 'pod.ready', data: {} }),
      );
      await new EventPublisher(nats).publish('pod.ready', { serverId, podName: 'mc-9', address: null, observedAt });
      await waitFor('the valid event', () => handled.some((e) => e.data.podName === 'mc-9'));
      await waitFor('nothing left pending', async () => {
        const info = await jsm.consumers.info(eventStreamName(namespace), durable);
        return info.num_ack_pending === 0 && info.num_redelivered === 0;
      });
      await consumer.stop();
      // Only valid events reached the handler: the one above, and the one the de-duplication test left.
      expect(handled.map((e) => e.data.podName).sort()).toEqual(['mc-0', 'mc-9']);
    });
  });
});
