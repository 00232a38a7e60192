import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { ServiceName } from '@blockplane/contracts';
import { MessagingModule } from '@blockplane/messaging';
import type { NatsConfig } from '@blockplane/config';
import { LOGGER, type Logger, Readiness, Registry } from '@blockplane/observability';
import { ErrorFilter } from './error.filter.js';
import { HealthController } from './health.controller.js';
import { pingResponder } from './ping.responder.js';

export interface ServiceCoreOptions {
  service: ServiceName;
  nats: NatsConfig;
  logger: Logger;
  registry: Registry;
  readiness: Readiness;
}

/** What every service has: logger, metrics, readiness, probes, NATS, the error shape and the ping answer. */
@Global()
@Module({})
export class ServiceCoreModule {
  static forRoot(options: ServiceCoreOptions): DynamicModule {
    const ping: Type[] = options.service === 'gateway' ? [] : [pingResponder(options.service)];
    return {
      module: ServiceCoreModule,
      imports: [MessagingModule.forRoot({ service: options.service, nats: options.nats })],
      controllers: [HealthController],
      providers: [
        { provide: LOGGER, useValue: options.logger },
        { provide: Registry, useValue: options.registry },
        { provide: Readiness, useValue: options.readiness },
        { provide: APP_FILTER, useClass: ErrorFilter },
        ...ping,
      ],
      exports: [LOGGER, Registry, Readiness],
    };
  }
}
