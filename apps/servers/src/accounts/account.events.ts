import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@blockplane/contracts';
import { OnEvent } from '@blockplane/messaging';
import { AccountsService } from './accounts.service.js';

/** What auth says of accounts: emails (for invitations), roles, suspensions. One durable consumer each. */
@Injectable()
export class AccountEvents {
  constructor(private readonly accounts: AccountsService) {}

  // A consumer of its own, beside the quota's `userRegistered`: durable consumers are named after their method.
  @OnEvent('user.registered')
  accountRegistered(event: EventEnvelope<'user.registered'>): Promise<void> {
    return this.accounts.learnRegistered(event);
  }

  @OnEvent('user.role-changed')
  userRoleChanged(event: EventEnvelope<'user.role-changed'>): Promise<void> {
    return this.accounts.learnRoleChanged(event);
  }

  @OnEvent('user.suspended')
  userSuspended(event: EventEnvelope<'user.suspended'>): Promise<void> {
    return this.accounts.suspend(event);
  }

  @OnEvent('user.unsuspended')
  userUnsuspended(event: EventEnvelope<'user.unsuspended'>): Promise<void> {
    return this.accounts.unsuspend(event);
  }
}
