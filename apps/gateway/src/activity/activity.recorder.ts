import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { ActivityEntry, Actor } from '@blockplane/contracts';
import { EventPublisher } from '@blockplane/messaging';
import { Counter, LOGGER, type Logger, Registry } from '@blockplane/observability';
import { serverAccessOf } from '../access/server-access.request.js';
import { actorOf } from '../authentication/current-actor.decorator.js';
import { sourceOf } from '../http/source-address.js';
import type { ActivityCall, ActivityRecording } from './record-activity.decorator.js';

/** Publishes `activity.recorded` for a state change that happened; the servers service keeps the log. */
@Injectable()
export class ActivityRecorder {
  private readonly failures: Counter<'action'>;

  constructor(
    private readonly events: EventPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
    registry: Registry,
  ) {
    this.failures = new Counter({
      name: 'gateway_activity_publish_failures_total',
      help: 'State changes that succeeded but could not be written to the activity log',
      labelNames: ['action'],
      registers: [registry],
    });
  }

  /** The action is done: a failure to record it is logged and counted, never turned into an error for the caller. */
  async record(recording: ActivityRecording, req: Request, answer: unknown): Promise<void> {
    // Named parameters are single path segments (only a wildcard would give a list).
    const params = Object.fromEntries(Object.entries(req.params).map(([key, value]) => [key, String(value)]));
    const call = { params, body: req.body as unknown, answer };
    await this.publish(recording, {
      actor: actorOf(req),
      source: sourceOf(req),
      serverId: serverAccessOf(req)?.serverId,
      call,
    });
  }

  /** Records an action done outside an HTTP request (a console socket event), as `record` does. */
  async publish(recording: ActivityRecording, done: DoneAction): Promise<void> {
    try {
      await this.events.publish('activity.recorded', entryOf(recording, done));
    } catch (error) {
      this.failures.inc({ action: recording.action });
      this.logger.error({ err: error, action: recording.action }, 'activity could not be recorded');
    }
  }
}

/** Who did it, from where, on which server (the one their rights were checked on), and the call itself. */
export interface DoneAction {
  actor: Actor;
  source: string;
  serverId: string | undefined;
  call: ActivityCall<unknown>;
}

function entryOf({ action, facts }: ActivityRecording, { actor, source, serverId, call }: DoneAction): ActivityEntry {
  const known = facts?.(call) ?? {};
  return {
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    action,
    actorId: actor.userId,
    apiKeyId: actor.apiKey?.id ?? null,
    source,
    serverId: known.serverId ?? serverId ?? null,
    subjectUserId: known.subjectUserId ?? null,
    details: known.details ?? {},
  };
}
