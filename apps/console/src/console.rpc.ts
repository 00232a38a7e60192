import { Injectable } from '@nestjs/common';
import type { RpcPayload, RpcResponse } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { ConsoleCommandsService } from './commands/console-commands.service.js';
import { ConsoleStreams } from './streams/console-streams.service.js';

@Injectable()
export class ConsoleRpc {
  constructor(
    private readonly streams: ConsoleStreams,
    private readonly commands: ConsoleCommandsService,
  ) {}

  @OnRpc('console.attach')
  attach(request: RpcPayload<'console.attach'>): Promise<RpcResponse<'console.attach'>> {
    return this.streams.attach(request);
  }

  @OnRpc('console.renew')
  async renew(request: RpcPayload<'console.renew'>): Promise<RpcResponse<'console.renew'>> {
    return this.streams.renew(request);
  }

  @OnRpc('console.detach')
  detach(request: RpcPayload<'console.detach'>): Promise<RpcResponse<'console.detach'>> {
    return this.streams.detach(request);
  }

  @OnRpc('console.command')
  command(request: RpcPayload<'console.command'>): Promise<RpcResponse<'console.command'>> {
    return this.commands.run(request);
  }
}
