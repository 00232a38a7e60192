import type { EventEnvelope, EventSubject, RpcPayload, RpcResponse, RpcSubject } from '@blockplane/contracts';

export const EVENT_HANDLER = Symbol('blockplane:event-handler');
export const RPC_HANDLER = Symbol('blockplane:rpc-handler');

export interface EventHandlerOptions<S extends EventSubject = EventSubject> {
  /** Names the durable consumer; defaults to the method name. Renaming it starts a new consumer. */
  consumer?: string;
  /** How many events the handler may work on at once (default 1: strictly one after another). */
  concurrency?: number;
  /** Events with the same key are handled one after another, in stream order, even with concurrency. */
  orderBy?: (event: EventEnvelope<S>) => string;
}

export interface EventHandlerMetadata extends EventHandlerOptions {
  subject: EventSubject;
}

/** Marks a method as the durable consumer of one catalogue event (NATS 2.9 filters one subject per consumer). */
export function OnEvent<S extends EventSubject>(subject: S, options: EventHandlerOptions<S> = {}) {
  return (
    target: object,
    key: string | symbol,
    descriptor: { value?: (event: EventEnvelope<S>) => Promise<void> },
  ): void => {
    // The consumer hands orderBy only events of `subject`, so widening its parameter is safe.
    const metadata = { subject, ...options } as EventHandlerMetadata;
    Reflect.defineMetadata(EVENT_HANDLER, metadata, target, key);
    void descriptor;
  };
}

/** Marks a method as the answer to one request/reply subject. */
export function OnRpc<S extends RpcSubject>(subject: S) {
  return (
    target: object,
    key: string | symbol,
    descriptor: { value?: (request: RpcPayload<S>) => Promise<RpcResponse<S>> },
  ): void => {
    Reflect.defineMetadata(RPC_HANDLER, subject, target, key);
    void descriptor;
  };
}
