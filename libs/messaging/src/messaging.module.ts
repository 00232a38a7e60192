import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { LOGGER, type Logger } from '@blockplane/observability';
import { EventPublisher } from './event-publisher.js';
import { MessagingExplorer } from './messaging.explorer.js';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options.js';
import { NatsConnection } from './nats-connection.js';
import { RpcClient } from './rpc-client.js';

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: NatsConnection,
          useFactory: (logger: Logger) => NatsConnection.open(options.nats, options.service, logger),
          inject: [LOGGER],
        },
        {
          provide: EventPublisher,
          useFactory: (nats: NatsConnection) => new EventPublisher(nats),
          inject: [NatsConnection],
        },
        { provide: RpcClient, useFactory: (nats: NatsConnection) => new RpcClient(nats), inject: [NatsConnection] },
        MessagingExplorer,
      ],
      exports: [NatsConnection, EventPublisher, RpcClient],
    };
  }
}
