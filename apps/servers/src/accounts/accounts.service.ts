import { Injectable } from '@nestjs/common';
import type { EventEnvelope, Role } from '@blockplane/contracts';
import { QuotaService } from '../quota/quota.service.js';
import { ServersService } from '../servers/servers.service.js';
import type { Account } from './account.entity.js';
import { AccountRepository } from './account.repository.js';

/** Keeps what auth says of each account; every method runs inside its event's inbox transaction. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly quota: QuotaService,
    private readonly servers: ServersService,
  ) {}

  async learnRegistered({ data, occurredAt }: EventEnvelope<'user.registered'>): Promise<void> {
    const account = await this.accounts.lock(data.userId);
    account.email = data.email;
    learnRole(account, data.role, new Date(occurredAt));
  }

  async learnRoleChanged({ data, occurredAt }: EventEnvelope<'user.role-changed'>): Promise<void> {
    learnRole(await this.accounts.lock(data.userId), data.role, new Date(occurredAt));
  }

  /**
   * Suspends the account and stops every server of it that is meant to run. The owner's quota row is
   * taken first, as every claim takes it: a start racing this either committed before (and is stopped
   * here) or sees the suspension and is refused.
   */
  async suspend({ data, occurredAt }: EventEnvelope<'user.suspended'>): Promise<void> {
    const quota = await this.quota.lock(data.userId);
    if (!(await this.learnSuspension(data.userId, true, new Date(occurredAt)))) return;
    await this.servers.stopAllOf(quota);
  }

  async unsuspend({ data, occurredAt }: EventEnvelope<'user.unsuspended'>): Promise<void> {
    await this.learnSuspension(data.userId, false, new Date(occurredAt));
  }

  /** True when this is the newest word on the account's suspension (a late, older event changes nothing). */
  private async learnSuspension(userId: string, suspended: boolean, at: Date): Promise<boolean> {
    const account = await this.accounts.lock(userId);
    if (!isNewer(account.suspensionSetAt, at)) return false;
    Object.assign(account, { suspended, suspensionSetAt: at });
    return true;
  }
}

function learnRole(account: Account, role: Role, at: Date): void {
  if (isNewer(account.roleSetAt, at)) Object.assign(account, { role, roleSetAt: at });
}

function isNewer(known: Date | null, at: Date): boolean {
  return known === null || known <= at;
}
