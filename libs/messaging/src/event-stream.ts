import {
  DiscardPolicy,
  type JetStreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

const STREAM_NOT_FOUND = 10059;

/** Stream names may not contain dots; one stream holds every event of a namespace. */
export function eventStreamName(namespace: string): string {
  return `${namespace.replaceAll(/[^a-zA-Z0-9_-]/g, '_')}_events`;
}

/** Creates the namespace's event stream, or brings an existing one to this configuration. */
export async function ensureEventStream(jsm: JetStreamManager, namespace: string): Promise<string> {
  const name = eventStreamName(namespace);
  const config = {
    name,
    subjects: [`${namespace}.events.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(7 * 24 * 3600 * 1000),
    duplicate_window: nanos(2 * 60 * 1000),
  };
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
    await jsm.streams.add(config);
  }
  return name;
}
