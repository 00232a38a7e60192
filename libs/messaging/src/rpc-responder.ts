import type { Msg, Subscription } from '@nats-io/transport-node';
import { DomainError, rpcCatalogue, type RpcSubject } from '@blockplane/contracts';
import { contextFromHeaders, inSpan, type Logger, SpanKind } from '@blockplane/observability';
import { z } from 'zod';
import type { NatsConnection } from './nats-connection.js';
import { type RpcReply, traceHeaderNames } from './rpc-wire.js';

export interface RpcHandlerBinding {
  subject: RpcSubject;
  handle(request: unknown): Promise<unknown>;
}

/** Answers one request/reply subject; replicas of a service share the load through a queue group. */
export class RpcResponder {
  private subscription?: Subscription;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nats: NatsConnection,
    private readonly queue: string,
    private readonly binding: RpcHandlerBinding,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscription = this.nats.connection.subscribe(this.nats.rpcSubject(this.binding.subject), {
      queue: this.queue,
      callback: (error, message) => {
        if (error)
          return void this.logger.error({ err: error, subject: this.binding.subject }, 'rpc subscription failed');
        const work = this.answer(message).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      },
    });
  }

  /** Stops taking requests and waits for the ones in hand. */
  async stop(): Promise<void> {
    if (this.subscription && !this.subscription.isClosed()) await this.subscription.drain();
    await Promise.all(this.inFlight);
  }

  private async answer(message: Msg): Promise<void> {
    const carrier: Record<string, string> = {};
    for (const name of traceHeaderNames) {
      const value = message.headers?.get(name);
      if (value) carrier[name] = value;
    }
    const reply = await inSpan(
      `rpc ${this.binding.subject}`,
      { kind: SpanKind.SERVER, parent: contextFromHeaders(carrier) },
      () => this.reply(message),
    );
    this.send(message, reply);
  }

  /** A reply NATS refuses (over max_payload, connection closing) becomes a small INTERNAL error, never a throw. */
  private send(message: Msg, reply: RpcReply): void {
    const body = JSON.stringify(reply);
    try {
      message.respond(body);
    } catch (error) {
      const bytes = Buffer.byteLength(body);
      this.logger.error({ err: error, subject: this.binding.subject, bytes }, 'rpc reply could not be sent');
      const tooLarge = bytes > (this.nats.connection.info?.max_payload ?? Number.POSITIVE_INFINITY);
      const fallback = failure(new DomainError('INTERNAL', tooLarge ? 'reply too large' : 'reply could not be sent'));
      try {
        message.respond(JSON.stringify(fallback));
      } catch (fallbackError) {
        this.logger.error({ err: fallbackError, subject: this.binding.subject }, 'rpc error reply could not be sent');
      }
    }
  }

  private async reply(message: Msg): Promise<RpcReply> {
    let body: unknown;
    try {
      body = message.json();
    } catch {
      return failure(new DomainError('VALIDATION_FAILED', 'request is not valid JSON'));
    }
    const request = rpcCatalogue[this.binding.subject].request.safeParse(body);
    if (!request.success) return failure(new DomainError('VALIDATION_FAILED', z.prettifyError(request.error)));
    try {
      return { ok: true, data: await this.binding.handle(request.data) };
    } catch (error) {
      if (error instanceof DomainError) return failure(error);
      this.logger.error({ err: error, subject: this.binding.subject }, 'rpc handler failed');
      return failure(new DomainError('INTERNAL', 'internal error'));
    }
  }
}

function failure(error: DomainError): RpcReply {
  return { ok: false, error: error.toBody() };
}
