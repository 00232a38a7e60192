import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@blockplane/contracts';
import { OnEvent } from '@blockplane/messaging';
import { ConsoleStreams } from '../streams/console-streams.service.js';

/**
 * The panel's status transitions, as the servers service announces them, become the `status` frames of the
 * watched servers (the console no longer derives a status of its own from the pod: it would disagree with
 * the panel's, e.g. `stopping` before the pod is touched). One server's changes in order; servers side by side.
 */
@Injectable()
export class StatusRelay {
  constructor(private readonly streams: ConsoleStreams) {}

  @OnEvent('server.status-changed', { concurrency: 8, orderBy: (event) => event.data.serverId })
  async statusChanged({ data }: EventEnvelope<'server.status-changed'>): Promise<void> {
    this.streams.statusChanged(data);
  }
}
