import { Injectable } from '@nestjs/common';
import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type {
  ActivityEntry,
  ActivityPage,
  Actor,
  AdminActivityQuery,
  EventEnvelope,
  PageQuery,
} from '@blockplane/contracts';
import { AccessService } from '../access/access.service.js';
import { assertAdmin } from '../access/server-access.js';
import { nextCursorOf, positionAfter } from '@blockplane/database';
import type { Activity } from './activity.entity.js';
import { type ActivityFilter, ActivityRepository } from './activity.repository.js';

/** The activity log: written from the gateway's events, read a keyset page at a time, newest first. */
@Injectable()
export class ActivityService {
  constructor(
    private readonly em: EntityManager,
    private readonly activity: ActivityRepository,
    private readonly access: AccessService,
  ) {}

  /** Runs inside the event's inbox transaction. */
  record({ data }: EventEnvelope<'activity.recorded'>): Promise<void> {
    return this.activity.record(data);
  }

  /** One server's log, for whoever reaches the server (the gateway has checked `activity.read`). */
  forServer(actor: Actor, serverId: string, page: PageQuery): Promise<ActivityPage> {
    return RequestContext.create(this.em, async () => {
      await this.access.resolve(actor, serverId);
      return this.page({ serverId }, page);
    });
  }

  /** The whole log, optionally one actor's or one server's: admins only. */
  forAdmin(actor: Actor, { actorId, serverId, ...page }: AdminActivityQuery): Promise<ActivityPage> {
    assertAdmin(actor);
    return RequestContext.create(this.em, () => this.page({ actorId, serverId }, page));
  }

  private async page(filter: ActivityFilter, { limit, cursor }: PageQuery): Promise<ActivityPage> {
    const page = await this.activity.page(filter, limit, positionAfter(cursor));
    return { entries: page.items.map(toEntry), nextCursor: nextCursorOf(page) };
  }
}

function toEntry(row: Activity): ActivityEntry {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    action: row.action,
    actorId: row.actorId,
    apiKeyId: row.apiKeyId,
    source: row.source,
    serverId: row.serverId,
    subjectUserId: row.subjectUserId,
    details: row.details,
  };
}
