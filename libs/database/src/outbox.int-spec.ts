import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '@blockplane/contracts';
import { ensureEventStream, EventPublisher, NatsConnection } from '@blockplane/messaging';
import { createLogger, createMetricsRegistry } from '@blockplane/observability';
import { testEnv, uniqueNamespace } from '@blockplane/testing';
import { ormOptions } from './orm-options.js';
import { Outbox, stageEvent } from './outbox.js';
import { OutboxEvent } from './outbox-event.entity.js';
import { OutboxRelay } from './outbox-relay.js';

// The auth schema is migrated by the global setup and has an outbox; rows are kept apart by namespace.
const database = { schema: 'auth', entities: [], migrations: { path: '/nonexistent', pathTs: '/nonexistent' } };
const namespace = uniqueNamespace();
const quota = { maxServers: 1, maxCpuCores: 1, maxMemoryMb: 1024, maxDiskGb: 1 };
const quotaChanged = () => ({ userId: randomUUID(), quota });

describe('the transactional outbox', () => {
  let orm: MikroORM;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  let stream: string;
  let publisher: EventPublisher;
  let relay: OutboxRelay;
  let outbox: Outbox;
  const registry = createMetricsRegistry('outbox-test');

  beforeAll(async () => {
    orm = await MikroORM.init(ormOptions({ url: testEnv.databaseUrl, poolMax: 4 }, database));
    const logger = createLogger('outbox-test', { level: 'silent' });
    nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace }, 'outbox-test', logger);
    jsm = await jetstreamManager(nats.connection);
    stream = await ensureEventStream(jsm, namespace);
    publisher = new EventPublisher(nats);
    // Driven by hand (no loop): each test decides when the relay runs.
    relay = new OutboxRelay(orm.em, publisher, nats, registry, logger);
    relay.onModuleInit();
    outbox = new Outbox(orm.em, relay, nats);
  });

  afterAll(async () => {
    await orm.em.fork().nativeDelete(OutboxEvent, { namespace: { $in: [namespace, `${namespace}_other`] } });
    await jsm.streams.delete(stream);
    await nats.close();
    await orm.close();
  });

  /** Every message in the namespace's stream, oldest first. */
  async function published(): Promise<{ msgId: string | undefined; envelope: EventEnvelope }[]> {
    const { state } = await jsm.streams.info(stream);
    const messages = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      if (message) messages.push({ msgId: message.header.get('Nats-Msg-Id'), envelope: message.json<EventEnvelope>() });
    }
    return messages;
  }
  const copiesOf = async (id: string) => (await published()).filter((m) => m.envelope.id === id);

  it('publishes an event of a committed transaction once, with its envelope id as Nats-Msg-Id', async () => {
    const staged = await orm.em.fork().transactional(async () => outbox.stage('user.quota-changed', quotaChanged()));
    const lag = await registry.getSingleMetricAsString('panel_outbox_lag_seconds');
    expect(lag).toMatch(/panel_outbox_lag_seconds\{service="outbox-test"\} \d/);

    expect(await relay.relayBatch()).toBe(1);
    expect(await relay.relayBatch()).toBe(0);
    expect(await copiesOf(staged.id)).toEqual([{ msgId: staged.id, envelope: staged }]);
  });

  it('never publishes an event of a rolled-back transaction', async () => {
    let staged: EventEnvelope | undefined;
    await expect(
      orm.em.fork().transactional(async () => {
        staged = outbox.stage('user.quota-changed', quotaChanged());
        await orm.em.flush();
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(staged).toBeDefined();
    expect(await relay.relayBatch()).toBe(0);
    expect(await copiesOf(staged?.id ?? '')).toEqual([]);
  });

  it('publishes in staging order, across transactions', async () => {
    const staged: EventEnvelope[] = [];
    for (let batch = 0; batch < 3; batch++) {
      await orm.em.fork().transactional(async () => {
        for (let i = 0; i < 4; i++) staged.push(outbox.stage('user.quota-changed', quotaChanged()));
      });
    }
    const before = (await published()).length;
    expect(await relay.relayBatch()).toBe(12);
    expect((await published()).slice(before).map((m) => m.envelope.id)).toEqual(staged.map((e) => e.id));
  });

  it('drops the second copy when a crash left a published event in the outbox', async () => {
    const staged = await orm.em.fork().transactional(async () => outbox.stage('user.quota-changed', quotaChanged()));
    // The relay published, then died before deleting the row; its successor publishes the row again.
    await publisher.publishEnvelope(staged);
    expect(await relay.relayBatch()).toBe(1);
    expect(await copiesOf(staged.id)).toHaveLength(1);
  });

  it('relays only its own namespace’s events', async () => {
    const foreign = await orm.em
      .fork()
      .transactional(async (em) => stageEvent(em, `${namespace}_other`, 'user.quota-changed', quotaChanged()));
    expect(await relay.relayBatch()).toBe(0);
    expect(await copiesOf(foreign.id)).toEqual([]);
    expect(await orm.em.fork().count(OutboxEvent, { namespace: `${namespace}_other` })).toBe(1);
  });
});
