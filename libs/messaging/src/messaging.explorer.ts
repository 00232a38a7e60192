import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { jetstreamManager } from '@nats-io/jetstream';
import type { EventEnvelope, RpcSubject } from '@blockplane/contracts';
import { LOGGER, type Logger, Readiness } from '@blockplane/observability';
import { DurableEventConsumer } from './event-consumer.js';
import { ensureEventStream } from './event-stream.js';
import { EVENT_HANDLER, type EventHandlerMetadata, RPC_HANDLER } from './handler.decorators.js';
import { INBOX_STORE, type InboxStore } from './inbox-store.js';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options.js';
import { NatsConnection } from './nats-connection.js';
import { RpcResponder } from './rpc-responder.js';

type Handler = (arg: unknown) => Promise<unknown>;

/** Finds `@OnEvent`/`@OnRpc` methods at start-up, runs them, and stops them first at shutdown. */
@Injectable()
export class MessagingExplorer
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private consumers: DurableEventConsumer[] = [];
  private responders: RpcResponder[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly nats: NatsConnection,
    private readonly readiness: Readiness,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(INBOX_STORE) private readonly inbox?: InboxStore,
  ) {}

  onModuleInit(): void {
    this.readiness.register('nats', () => this.nats.check());
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await jetstreamManager(this.nats.connection);
    const stream = await ensureEventStream(jsm, this.nats.namespace);
    const queue = `${this.nats.namespace}.${this.options.service}`;
    for (const { instance, method, key } of this.handlerMethods()) {
      const rpcSubject = Reflect.getMetadata(RPC_HANDLER, instance, key) as RpcSubject | undefined;
      if (rpcSubject) {
        this.responders.push(new RpcResponder(this.nats, queue, { subject: rpcSubject, handle: method }, this.logger));
      }
      const event = Reflect.getMetadata(EVENT_HANDLER, instance, key) as EventHandlerMetadata | undefined;
      if (event) {
        if (!this.inbox) throw new Error(`@OnEvent ${key} needs an InboxStore: import the DatabaseModule`);
        const durable = `${this.options.service}-${toKebab(event.consumer ?? key)}`;
        const handle = method as (event: EventEnvelope) => Promise<void>;
        this.consumers.push(
          new DurableEventConsumer(
            this.nats,
            stream,
            { durable, subject: event.subject, handle, concurrency: event.concurrency, orderBy: event.orderBy },
            this.inbox,
            this.logger,
            this.options.consumer,
          ),
        );
      }
    }
    for (const responder of this.responders) responder.start();
    await Promise.all(this.consumers.map((consumer) => consumer.start(jsm)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.consumers, ...this.responders].map((worker) => worker.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.nats.close();
  }

  private *handlerMethods(): Generator<{ instance: object; method: Handler; key: string }> {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const key of this.scanner.getAllMethodNames(prototype)) {
        if (!Reflect.hasMetadata(RPC_HANDLER, instance, key) && !Reflect.hasMetadata(EVENT_HANDLER, instance, key))
          continue;
        const method = (instance as Record<string, Handler>)[key];
        if (method) yield { instance, method: method.bind(instance), key };
      }
    }
  }
}

function toKebab(name: string): string {
  return name.replaceAll(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
