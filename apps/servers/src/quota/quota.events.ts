import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@blockplane/contracts';
import { OnEvent } from '@blockplane/messaging';
import { QuotaService } from './quota.service.js';

/** Keeps each owner's quota as auth last set it. */
@Injectable()
export class QuotaEvents {
  constructor(private readonly quota: QuotaService) {}

  @OnEvent('user.registered')
  userRegistered(event: EventEnvelope<'user.registered'>): Promise<void> {
    return this.quota.learnRegistered(event);
  }

  @OnEvent('user.quota-changed')
  userQuotaChanged(event: EventEnvelope<'user.quota-changed'>): Promise<void> {
    return this.quota.learnQuotaChanged(event);
  }
}
