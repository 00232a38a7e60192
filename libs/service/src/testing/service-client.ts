import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { EventEnvelope, EventSubject } from '@blockplane/contracts';
import { eventStreamName, NatsConnection, RpcClient } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { testEnv } from '@blockplane/testing';
import type { RunningService } from './service-harness.js';

/** What a spec uses to talk to a service it started: requests, and the events in its namespace's stream. */
export interface TestServiceClient {
  nats: NatsConnection;
  rpc: RpcClient;
  jsm: JetStreamManager;
  stream: string;
  /** Every event of `type` in the stream, oldest first. */
  published<S extends EventSubject>(type: S): Promise<EventEnvelope<S>[]>;
  /** Deletes the namespace's stream and disconnects (close the service first). */
  close(): Promise<void>;
}

export async function connectTestClient(service: RunningService): Promise<TestServiceClient> {
  const logger = createLogger('test-client', { level: 'silent' });
  const nats = await NatsConnection.open({ url: testEnv.natsUrl, namespace: service.namespace }, 'test-client', logger);
  const jsm = await jetstreamManager(nats.connection);
  const stream = eventStreamName(service.namespace);
  return {
    nats,
    rpc: new RpcClient(nats),
    jsm,
    stream,
    async published<S extends EventSubject>(type: S) {
      const { state } = await jsm.streams.info(stream);
      const found: EventEnvelope<S>[] = [];
      for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
        const envelope = (await jsm.streams.getMessage(stream, { seq }))?.json<EventEnvelope>();
        if (envelope?.type === type) found.push(envelope as EventEnvelope<S>);
      }
      return found;
    },
    async close() {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nats.close();
    },
  };
}
