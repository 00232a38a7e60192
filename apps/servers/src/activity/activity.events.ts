import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@blockplane/contracts';
import { OnEvent } from '@blockplane/messaging';
import { ActivityService } from './activity.service.js';

@Injectable()
export class ActivityEvents {
  constructor(private readonly activity: ActivityService) {}

  @OnEvent('activity.recorded')
  activityRecorded(event: EventEnvelope<'activity.recorded'>): Promise<void> {
    return this.activity.record(event);
  }
}
