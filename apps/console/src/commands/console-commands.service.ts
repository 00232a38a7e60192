import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type CommandResult, DomainError } from '@blockplane/contracts';
import { EventPublisher, RpcClient } from '@blockplane/messaging';
import { LOGGER, type Logger } from '@blockplane/observability';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config.js';
import { ConsoleMetrics } from '../console.metrics.js';
import { RateLimiter } from './rate-limiter.js';
import { RconSessions } from './rcon-sessions.js';

export interface CommandRequest {
  actor: Actor;
  source: string;
  serverId: string;
  command: string;
}

/**
 * Every console command passes here, whoever sent it: the length limit of this deployment, the rate limit
 * per user and server, the caller's `control.command` right (asked of the servers service each time, so a
 * revoked right stops the next command), the activity log, then RCON.
 */
@Injectable()
export class ConsoleCommandsService {
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly rpc: RpcClient,
    private readonly events: EventPublisher,
    private readonly rcon: RconSessions,
    private readonly metrics: ConsoleMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.limiter = new RateLimiter(config.commands.burst, config.commands.refillMs);
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    const started = performance.now();
    try {
      await this.admit(request);
    } catch (error) {
      this.metrics.commands.inc({ outcome: 'refused' });
      throw error;
    }
    const { serverId, command } = request;
    try {
      const output = await this.rcon.run(serverId, command.trim());
      this.metrics.commands.inc({ outcome: 'ok' });
      return { serverId, command, output };
    } catch (error) {
      this.metrics.commands.inc({ outcome: 'failed' });
      throw error;
    } finally {
      this.metrics.commandSeconds.observe((performance.now() - started) / 1000);
    }
  }

  private async admit({ actor, source, serverId, command }: CommandRequest): Promise<void> {
    const max = this.config.commands.maxLength;
    if (command.length > max)
      throw new DomainError('VALIDATION_FAILED', `command: must be at most ${max} characters`, { field: 'command' });
    const turn = this.limiter.take(`${actor.userId}:${serverId}`);
    if (!turn.ok)
      throw new DomainError('RATE_LIMITED', 'too many commands: wait a moment', { retryAfterMs: turn.retryAfterMs });
    const access = await this.rpc.request('servers.access', { actor, serverId });
    if (!access.permissions.includes('control.command'))
      throw new DomainError('FORBIDDEN', 'you may not send commands to this server');
    // Written before it runs: a command the log cannot hold is not sent.
    await this.events
      .publish('activity.recorded', {
        id: randomUUID(),
        occurredAt: new Date().toISOString(),
        action: 'console.command',
        actorId: actor.userId,
        apiKeyId: actor.apiKey?.id ?? null,
        source,
        serverId,
        subjectUserId: null,
        details: { command },
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error, serverId }, 'the activity log is unavailable; command refused');
        throw new DomainError('UPSTREAM_UNAVAILABLE', 'the activity log is unavailable: try again');
      });
  }
}
