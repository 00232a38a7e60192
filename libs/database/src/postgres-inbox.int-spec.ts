import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { testEnv } from '@blockplane/testing';
import { ormOptions } from './orm-options.js';
import { PostgresInboxStore } from './postgres-inbox.store.js';
import { ProcessedEvent } from './processed-event.entity.js';

// The servers schema is migrated by the global setup; any service schema would do.
const database = { schema: 'servers', entities: [], migrations: { path: '/nonexistent', pathTs: '/nonexistent' } };

describe('PostgresInboxStore', () => {
  let orm: MikroORM;
  let inbox: PostgresInboxStore;
  const consumer = `inbox-test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    orm = await MikroORM.init(ormOptions({ url: testEnv.databaseUrl, poolMax: 4 }, database));
    inbox = new PostgresInboxStore(orm.em);
  });

  afterAll(async () => {
    await orm.em.getConnection().execute('delete from servers.processed_event where consumer = ?', [consumer]);
    await orm.close();
  });

  const marks = async (eventId: string) =>
    (
      await orm.em
        .getConnection()
        .execute<{ n: string }[]>(
          'select count(*) as n from servers.processed_event where consumer = ? and event_id = ?',
          [consumer, eventId],
        )
    )[0]?.n;

  it('runs the work of an event once, however often it arrives', async () => {
    const eventId = randomUUID();
    let runs = 0;
    const work = async () => void runs++;
    expect(await inbox.runOnce(consumer, eventId, work)).toBe(true);
    expect(await inbox.runOnce(consumer, eventId, work)).toBe(false);
    expect(runs).toBe(1);
    expect(await marks(eventId)).toBe('1');
  });

  it('runs concurrent deliveries of one event once', async () => {
    const eventId = randomUUID();
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 4 }, () => inbox.runOnce(consumer, eventId, async () => void runs++)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
  });

  it('forgets the event when its work fails, so a redelivery runs it again', async () => {
    const eventId = randomUUID();
    await expect(
      inbox.runOnce(consumer, eventId, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await marks(eventId)).toBe('0');
    let runs = 0;
    expect(await inbox.runOnce(consumer, eventId, async () => void runs++)).toBe(true);
    expect(runs).toBe(1);
  });

  it("joins the handler's own writes through the injected EntityManager to the mark's transaction", async () => {
    const failed = randomUUID();
    const written = randomUUID();
    await expect(
      inbox.runOnce(consumer, failed, async () => {
        orm.em.create(ProcessedEvent, { consumer, eventId: written });
        await orm.em.flush();
        throw new Error('after work');
      }),
    ).rejects.toThrow('after work');
    expect(await marks(written)).toBe('0');

    const succeeded = randomUUID();
    await inbox.runOnce(consumer, succeeded, async () => {
      orm.em.create(ProcessedEvent, { consumer, eventId: written });
      await orm.em.flush();
    });
    expect(await marks(succeeded)).toBe('1');
    expect(await marks(written)).toBe('1');
  });
});
