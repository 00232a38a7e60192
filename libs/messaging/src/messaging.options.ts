import type { NatsConfig } from '@blockplane/config';
import type { ServiceName } from '@blockplane/contracts';
import type { ConsumerOptions } from './event-consumer.js';

export interface MessagingOptions {
  service: ServiceName;
  nats: NatsConfig;
  consumer?: ConsumerOptions;
}

export const MESSAGING_OPTIONS = Symbol('MessagingOptions');
