import { Inject, Injectable } from '@nestjs/common';
import { type ConsoleFrame, consoleFramesSubject } from '@blockplane/contracts';
import { NatsConnection } from '@blockplane/messaging';
import { LOGGER, type Logger } from '@blockplane/observability';

/** A batch is cut before it holds this much text, so it stays well under NATS' 1 MB payload limit. */
const MAX_BATCH_CHARS = 256 * 1024;

/**
 * Sends frames to the gateways that hold their servers: what is published in one turn of the event loop
 * leaves at its end as ONE message per gateway (its live subject), not one per frame, so the console,
 * NATS and each gateway handle a message per turn however many servers are watched.
 */
@Injectable()
export class FramePublisher {
  /** Per holder, the frames of this turn, each encoded once however many holders get it. */
  private readonly outbox = new Map<string, string[]>();
  private sending: NodeJS.Immediate | undefined;

  constructor(
    private readonly nats: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  publish(frame: ConsoleFrame, holders: Iterable<string>): void {
    let encoded: string | undefined;
    for (const holder of holders) {
      encoded ??= JSON.stringify(frame);
      const batch = this.outbox.get(holder);
      if (batch) batch.push(encoded);
      else this.outbox.set(holder, [encoded]);
    }
    if (encoded !== undefined) this.sending ??= setImmediate(() => this.flush());
  }

  /** Sends what is waiting now (at shutdown, before NATS closes). */
  flush(): void {
    clearImmediate(this.sending);
    this.sending = undefined;
    for (const [holder, frames] of this.outbox) this.send(holder, frames);
    this.outbox.clear();
  }

  private send(holder: string, frames: string[]): void {
    let batch: string[] = [];
    let chars = 0;
    for (const frame of frames) {
      if (batch.length > 0 && chars + frame.length > MAX_BATCH_CHARS) {
        this.sendBatch(holder, batch);
        batch = [];
        chars = 0;
      }
      batch.push(frame);
      chars += frame.length + 1;
    }
    this.sendBatch(holder, batch);
  }

  private sendBatch(holder: string, frames: string[]): void {
    try {
      // Bytes, not the string: NATS would encode it with a TextEncoder into a fresh ArrayBuffer.
      const payload = Buffer.from(`[${frames.join(',')}]`);
      this.nats.connection.publish(this.nats.liveSubject(consoleFramesSubject(holder)), payload);
    } catch (error) {
      // Closed or draining at shutdown: live frames are not kept (gateways refill gaps with console.attach).
      this.logger.warn({ err: error, holder, frames: frames.length }, 'console frames not published');
    }
  }
}
