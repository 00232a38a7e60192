import { Inject, Injectable } from '@nestjs/common';
import { type ConsoleFrame, consoleFrameSubject } from '@blockplane/contracts';
import { NatsConnection } from '@blockplane/messaging';
import { LOGGER, type Logger } from '@blockplane/observability';

/** Publishes a server's frames on its live subject, where every gateway holding its viewers listens. */
@Injectable()
export class FramePublisher {
  constructor(
    private readonly nats: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  publish(frame: ConsoleFrame): void {
    try {
      // Bytes, not the string: NATS would encode it with a TextEncoder, a fresh ArrayBuffer per frame;
      // Buffer.from takes a small frame's bytes from its shared pool, at a third of the cost.
      const payload = Buffer.from(JSON.stringify(frame));
      this.nats.connection.publish(this.nats.liveSubject(consoleFrameSubject(frame.serverId)), payload);
    } catch (error) {
      // Closed or draining at shutdown: live frames are not kept (gateways refill gaps with console.attach).
      this.logger.warn({ err: error, serverId: frame.serverId, type: frame.type }, 'console frame not published');
    }
  }
}
