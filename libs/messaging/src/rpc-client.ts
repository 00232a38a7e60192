import { headers, NoRespondersError, TimeoutError } from '@nats-io/transport-node';
import { DomainError, rpcCatalogue, type RpcRequest, type RpcResponse, type RpcSubject } from '@blockplane/contracts';
import { currentTraceHeaders, inSpan, SpanKind } from '@blockplane/observability';
import { messageJson } from './message-json.js';
import type { NatsConnection } from './nats-connection.js';
import { rpcReplySchema } from './rpc-wire.js';

/** Typed request/reply over core NATS; failures surface as DomainErrors with the upstream's code. */
export class RpcClient {
  constructor(private readonly nats: NatsConnection) {}

  request<S extends RpcSubject>(subject: S, request: RpcRequest<S>, timeoutMs = 5_000): Promise<RpcResponse<S>> {
    return inSpan(`rpc ${subject}`, { kind: SpanKind.CLIENT }, async () => {
      const h = headers();
      for (const [key, value] of Object.entries(currentTraceHeaders())) h.set(key, value);
      let answer;
      try {
        answer = await this.nats.connection.request(this.nats.rpcSubject(subject), JSON.stringify(request), {
          timeout: timeoutMs,
          headers: h,
        });
      } catch (error) {
        throw toDomainError(subject, error);
      }
      const reply = rpcReplySchema.safeParse(messageJson(answer));
      if (!reply.success) throw new DomainError('INTERNAL', `${subject} answered with a malformed reply`);
      if (!reply.data.ok)
        throw new DomainError(reply.data.error.code, reply.data.error.message, reply.data.error.details);
      const response = rpcCatalogue[subject].response.safeParse(reply.data.data);
      if (!response.success) throw new DomainError('INTERNAL', `${subject} answered with an invalid response`);
      return response.data as RpcResponse<S>;
    });
  }
}

function toDomainError(subject: string, error: unknown): DomainError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof TimeoutError || error instanceof TimeoutError) {
    return new DomainError('UPSTREAM_TIMEOUT', `${subject} did not answer in time`);
  }
  if (cause instanceof NoRespondersError)
    return new DomainError('UPSTREAM_UNAVAILABLE', `no service answers ${subject}`);
  return new DomainError('UPSTREAM_UNAVAILABLE', `${subject} failed: ${(error as Error).message}`);
}
