import { Injectable, type Type } from '@nestjs/common';
import { PLATFORM_VERSION, type PingResponse, type RpcSubject, type ServiceName } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { currentTraceId } from '@blockplane/observability';

type PingedService = Exclude<ServiceName, 'gateway'>;

/** Answers `<service>.ping`, which the gateway's status page and the tests use to cross a NATS hop. */
export function pingResponder(service: PingedService): Type {
  const subject = `${service}.ping` satisfies RpcSubject;
  const started = Date.now();

  @Injectable()
  class PingResponder {
    @OnRpc(subject)
    async ping(): Promise<PingResponse> {
      const traceId = currentTraceId();
      return {
        service,
        version: PLATFORM_VERSION,
        uptimeSeconds: (Date.now() - started) / 1000,
        ...(traceId ? { traceId } : {}),
      };
    }
  }
  return PingResponder;
}
