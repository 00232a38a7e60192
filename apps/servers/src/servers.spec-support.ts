import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Actor, Role, ServerSpec } from '@blockplane/contracts';
import { eventStreamName, EventPublisher, NatsConnection, RpcClient } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { type RunningService, startTestService } from '@blockplane/service/testing';
import { testEnv, waitFor } from '@blockplane/testing';
import { serversApp } from './servers.app.js';

/** The servers service booted for a spec file, with a client in its NATS namespace. */
export interface ServersUnderTest {
  service: RunningService;
  nats: NatsConnection;
  rpc: RpcClient;
  events: EventPublisher;
  stream: string;
  /** Resolves once the durable consumer has handled everything published to it. */
  drained(handler: string): Promise<void>;
  close(): Promise<void>;
}

export async function startServers(env: Record<string, string> = {}): Promise<ServersUnderTest> {
  const service = await startTestService(serversApp, env);
  const logger = createLogger('servers-test', { level: 'silent' });
  const nats = await NatsConnection.open(
    { url: testEnv.natsUrl, namespace: service.namespace },
    'servers-test',
    logger,
  );
  const jsm = await jetstreamManager(nats.connection);
  const stream = eventStreamName(service.namespace);
  return {
    service,
    nats,
    rpc: new RpcClient(nats),
    events: new EventPublisher(nats),
    stream,
    drained: async (handler) => {
      await waitFor(`servers-${handler} drained`, async () => {
        const info = await jsm.consumers.info(stream, `servers-${handler}`);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    },
    close: async () => {
      await service.close();
      await jsm.streams.delete(stream).catch(() => undefined);
      await nats.close();
    },
  };
}

export const anActor = (role: Role = 'user'): Actor => ({ userId: randomUUID(), role });

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
