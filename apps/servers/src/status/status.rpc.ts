import { Injectable } from '@nestjs/common';
import type { RpcPayload, RpcResponse } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { StatusService } from './status.service.js';

@Injectable()
export class StatusRpc {
  constructor(private readonly status: StatusService) {}

  /** For the console, which starts its viewers on the panel's status and follows `server.status-changed`. */
  @OnRpc('servers.status')
  current({ serverId }: RpcPayload<'servers.status'>): Promise<RpcResponse<'servers.status'>> {
    return this.status.current(serverId);
  }
}
