import { type DynamicModule, Module } from '@nestjs/common';
import { AccessRevocations } from './access-revocations.js';
import { ConsoleEvents } from './console-events.js';
import { ConsoleFeeds } from './console-feeds.js';
import { CONSOLE_SOCKET_CONFIG, type ConsoleSocketConfig } from './console-socket.section.js';
import { ConsoleSocketServer } from './console-socket.server.js';
import { ViewerSessions } from './viewer-sessions.js';

/**
 * The live console for browsers and API clients: socket.io `/console`, fed by the console service over NATS.
 * It uses the (global) access and authentication modules' rule check, catalogue, recorder and authenticator.
 */
@Module({})
export class ConsoleSocketModule {
  static forRoot(config: ConsoleSocketConfig): DynamicModule {
    return {
      module: ConsoleSocketModule,
      providers: [
        { provide: CONSOLE_SOCKET_CONFIG, useValue: config },
        ConsoleFeeds,
        ViewerSessions,
        ConsoleEvents,
        ConsoleSocketServer,
        AccessRevocations,
      ],
    };
  }
}
