import { type DynamicModule, Module } from '@nestjs/common';
import { ConsoleCommandsService } from './commands/console-commands.service.js';
import { RconSessions } from './commands/rcon-sessions.js';
import { CONSOLE_CONFIG, type ConsoleConfig } from './console.config.js';
import { ConsoleMetrics } from './console.metrics.js';
import { ConsoleRpc } from './console.rpc.js';
import { GamePods } from './kube/game-pods.js';
import { KubeApi } from './kube/kube-api.js';
import { StatsService } from './stats/stats.service.js';
import { StatusRelay } from './status/status.relay.js';
import { ConsoleStreams } from './streams/console-streams.service.js';
import { FramePublisher } from './streams/frame-publisher.js';

@Module({})
export class ConsoleModule {
  static forRoot(config: ConsoleConfig): DynamicModule {
    return {
      module: ConsoleModule,
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        ConsoleMetrics,
        KubeApi,
        GamePods,
        FramePublisher,
        ConsoleStreams,
        RconSessions,
        ConsoleCommandsService,
        StatsService,
        StatusRelay,
        ConsoleRpc,
      ],
    };
  }
}
