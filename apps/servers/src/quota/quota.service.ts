import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type EventEnvelope, type Quota, type Usage } from '@blockplane/contracts';
import { type Claimed, GameServerRepository } from '../servers/game-server.repository.js';
import { OwnerQuotaRepository } from './owner-quota.repository.js';

export const QUOTA_DEFAULTS = Symbol('QuotaDefaults');

const limits = [
  { claim: 'servers', max: 'maxServers', name: 'servers' },
  { claim: 'cpuCores', max: 'maxCpuCores', name: 'CPU cores' },
  { claim: 'memoryMb', max: 'maxMemoryMb', name: 'memory (MB)' },
  { claim: 'diskGb', max: 'maxDiskGb', name: 'disk (GB)' },
] as const;

@Injectable()
export class QuotaService {
  constructor(
    private readonly quotas: OwnerQuotaRepository,
    private readonly servers: GameServerRepository,
    @Inject(QUOTA_DEFAULTS) private readonly defaults: Quota,
  ) {}

  /**
   * Refuses a claim that would take the owner past a limit. Call it inside the transaction that
   * writes the claim: it locks the owner's quota row first, so claims by one owner are counted one at a time.
   */
  async claim(ownerId: string, claim: Claimed): Promise<void> {
    const quota = await this.lock(ownerId);
    const used = await this.servers.claimedBy(ownerId);
    for (const limit of limits) {
      const max = quota[limit.max];
      if (used[limit.claim] + claim[limit.claim] <= max) continue;
      throw new DomainError(
        'QUOTA_EXCEEDED',
        `quota exceeded: ${limit.name} would be ${used[limit.claim] + claim[limit.claim]} of at most ${max}`,
        { limit: limit.claim, used: used[limit.claim], requested: claim[limit.claim], max },
      );
    }
  }

  /** Takes the owner's quota lock without claiming yet (the claim depends on rows read under it). */
  lock(ownerId: string): Promise<Quota> {
    return this.quotas.lock(ownerId, this.defaults);
  }

  async usage(ownerId: string): Promise<Usage> {
    const [quota, used] = await Promise.all([this.quotas.find(ownerId), this.servers.claimedBy(ownerId)]);
    const max = quota ?? this.defaults;
    return {
      servers: { used: used.servers, max: max.maxServers },
      cpuCores: { used: used.cpuCores, max: max.maxCpuCores },
      memoryMb: { used: used.memoryMb, max: max.maxMemoryMb },
      diskGb: { used: used.diskGb, max: max.maxDiskGb },
    };
  }

  async learnRegistered({ data, occurredAt }: EventEnvelope<'user.registered'>): Promise<void> {
    await this.quotas.learn(data.userId, data.quota, new Date(occurredAt), this.defaults, data.role);
  }

  async learnQuotaChanged({ data, occurredAt }: EventEnvelope<'user.quota-changed'>): Promise<void> {
    await this.quotas.learn(data.userId, data.quota, new Date(occurredAt), this.defaults);
  }
}
