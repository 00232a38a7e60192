import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type EventEnvelope, type Quota, type Usage } from '@blockplane/contracts';
import { AccountRepository } from '../accounts/account.repository.js';
import type { Claim } from './claim.js';
import type { OwnerQuota } from './owner-quota.entity.js';
import { OwnerQuotaRepository } from './owner-quota.repository.js';

export const QUOTA_DEFAULTS = Symbol('QuotaDefaults');

const limits = [
  { claim: 'servers', max: 'maxServers', used: 'usedServers', name: 'servers' },
  { claim: 'cpuCores', max: 'maxCpuCores', used: 'usedCpuCores', name: 'CPU cores' },
  { claim: 'memoryMb', max: 'maxMemoryMb', used: 'usedMemoryMb', name: 'memory (MB)' },
  { claim: 'diskGb', max: 'maxDiskGb', used: 'usedDiskGb', name: 'disk (GB)' },
] as const;

/** Fractional CPU cores are summed in millicores, so adding and taking back the same claim leaves no residue. */
const milli = (value: number) => Math.round(value * 1000) / 1000;

@Injectable()
export class QuotaService {
  constructor(
    private readonly quotas: OwnerQuotaRepository,
    private readonly accounts: AccountRepository,
    @Inject(QUOTA_DEFAULTS) private readonly defaults: Quota,
  ) {}

  /**
   * Takes the owner's quota lock: call it first in every transaction that changes what a server
   * claims (quota row before server row, always), so one owner's claims are counted one at a time.
   */
  lock(ownerId: string): Promise<OwnerQuota> {
    return this.quotas.lock(ownerId, this.defaults);
  }

  /**
   * Moves the owner's running totals from a server's old claim to its new one. A move that grows the
   * claim is refused past a limit, or when the owner is suspended; giving back is always allowed.
   */
  async move(quota: OwnerQuota, from: Claim, to: Claim): Promise<void> {
    const grows = limits.filter((limit) => to[limit.claim] > from[limit.claim]);
    if (grows.length > 0 && (await this.accounts.isSuspended(quota.userId))) {
      throw new DomainError('FORBIDDEN', "the owner's account is suspended");
    }
    for (const limit of grows) {
      const [used, requested, max] = [quota[limit.used], to[limit.claim] - from[limit.claim], quota[limit.max]];
      if (milli(used + requested) <= max) continue;
      throw new DomainError(
        'QUOTA_EXCEEDED',
        `quota exceeded: ${limit.name} would be ${milli(used + requested)} of at most ${max}`,
        { limit: limit.claim, used, requested, max },
      );
    }
    for (const limit of limits) quota[limit.used] = milli(quota[limit.used] + to[limit.claim] - from[limit.claim]);
  }

  /** One row: `move` keeps the totals. */
  async usage(ownerId: string): Promise<Usage> {
    const quota = await this.quotas.find(ownerId);
    const max = quota ?? this.defaults;
    return {
      servers: { used: quota?.usedServers ?? 0, max: max.maxServers },
      cpuCores: { used: quota?.usedCpuCores ?? 0, max: max.maxCpuCores },
      memoryMb: { used: quota?.usedMemoryMb ?? 0, max: max.maxMemoryMb },
      diskGb: { used: quota?.usedDiskGb ?? 0, max: max.maxDiskGb },
    };
  }

  async learnRegistered({ data, occurredAt }: EventEnvelope<'user.registered'>): Promise<void> {
    await this.quotas.learn(data.userId, data.quota, new Date(occurredAt), this.defaults);
  }

  async learnQuotaChanged({ data, occurredAt }: EventEnvelope<'user.quota-changed'>): Promise<void> {
    await this.quotas.learn(data.userId, data.quota, new Date(occurredAt), this.defaults);
  }
}
