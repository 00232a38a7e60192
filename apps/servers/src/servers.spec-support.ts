import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  type Actor,
  DomainError,
  type EventEnvelope,
  type Quota,
  type Role,
  type ServerSpec,
} from '@blockplane/contracts';
import { EventPublisher, type RpcClient } from '@blockplane/messaging';
import {
  connectTestClient,
  type RunningService,
  startTestService,
  type TestServiceClient,
} from '@blockplane/service/testing';
import { waitFor } from '@blockplane/testing';
import { serversApp } from './servers.app.js';

/** The servers service booted for a spec file, with a client in its NATS namespace. */
export interface ServersUnderTest extends TestServiceClient {
  service: RunningService;
  events: EventPublisher;
  /** Resolves once the durable consumer has handled everything published to it. */
  drained(handler: string): Promise<void>;
  /** Resolves once every event staged so far has left the outbox (the relay publishes in staging order). */
  relayed(): Promise<void>;
  /** Publishes an envelope again without its de-duplication id: the consumer sees it twice, as after a crash. */
  redeliver(envelope: EventEnvelope): Promise<void>;
  /** A plain SQL query on the service's own database. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export async function startServers(env: Record<string, string> = {}): Promise<ServersUnderTest> {
  const service = await startTestService(serversApp, env);
  const client = await connectTestClient(service);
  const em = service.app.get(EntityManager);
  const query = <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    em.fork().getConnection().execute(sql, params);
  return {
    ...client,
    service,
    events: new EventPublisher(client.nats),
    drained: async (handler) => {
      await waitFor(`servers-${handler} drained`, async () => {
        const info = await client.jsm.consumers.info(client.stream, `servers-${handler}`);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    },
    relayed: async () => {
      await waitFor('the outbox to be relayed', async () => {
        const [row] = await query<{ n: string }>('select count(*) as n from servers.outbox_event where namespace = ?', [
          service.namespace,
        ]);
        return row?.n === '0';
      });
    },
    redeliver: async (envelope) => {
      await jetstream(client.nats.connection).publish(
        client.nats.eventSubject(envelope.type),
        JSON.stringify(envelope),
      );
    },
    query,
    close: async () => {
      await service.close();
      await client.close();
    },
  };
}

export const anActor = (role: Role = 'user'): Actor => ({ userId: randomUUID(), role });

/** An account auth announced: who acts, and the email they are invited by. */
export interface Registered {
  actor: Actor;
  email: string;
}

/** Registers an account as auth would announce it, and waits until this service knows it. */
export async function register(
  t: ServersUnderTest,
  quota: Quota = { maxServers: 3, maxCpuCores: 4, maxMemoryMb: 8192, maxDiskGb: 40 },
  role: Role = 'user',
): Promise<Registered> {
  const actor = anActor(role);
  const email = `${actor.userId}@example.test`;
  await t.events.publish('user.registered', { userId: actor.userId, email, role, quota });
  await t.drained('account-registered');
  await t.drained('user-registered');
  return { actor, email };
}

/** The error a request failed with (fails the test when it succeeded). */
export async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const outcome = await promise.then(
    () => new Error('expected the request to fail, and it succeeded'),
    (error: unknown) => error,
  );
  if (outcome instanceof DomainError) return outcome;
  throw outcome;
}

/** Every page of `servers.desired-state`, as the provisioner walks it. */
export async function allDesired(rpc: RpcClient, limit?: number): Promise<ServerSpec[]> {
  const servers: ServerSpec[] = [];
  let cursor: string | undefined;
  do {
    const page = await rpc.request('servers.desired-state', {
      ...(limit ? { limit } : {}),
      ...(cursor ? { cursor } : {}),
    });
    servers.push(...page.servers);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return servers;
}
