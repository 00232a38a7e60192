import { Injectable, type Type } from '@nestjs/common';
import { PLATFORM_VERSION, type PingedService, type PingResponse, type PingSubject } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { currentTraceId } from '@blockplane/observability';

/** Answers `<service>.ping`, which the gateway's status page and the tests use to cross a NATS hop. */
export function pingResponder(service: PingedService): Type {
  const subject: PingSubject = `${service}.ping`;
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
