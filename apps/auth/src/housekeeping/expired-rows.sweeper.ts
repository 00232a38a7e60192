import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EnsureRequestContext } from '@mikro-orm/decorators/legacy';
import { EntityManager } from '@mikro-orm/postgresql';
import { LOGGER, type Logger } from '@blockplane/observability';
import { PasswordResetTokenRepository } from '../password-reset/password-reset-token.repository.js';
import { RateLimiter } from '../rate-limits/rate-limiter.js';

const SWEEP_INTERVAL_MS = 60_000;

/** Deletes ended rate-limit windows and expired reset links; every replica may sweep, deletes are idempotent. */
@Injectable()
export class ExpiredRowsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    private readonly limiter: RateLimiter,
    private readonly resetTokens: PasswordResetTokenRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  @EnsureRequestContext()
  async sweep(): Promise<void> {
    try {
      await this.limiter.prune();
      await this.resetTokens.deleteExpired();
    } catch (error) {
      this.logger.warn({ err: error }, 'sweeping expired rows failed; trying again later');
    }
  }
}
