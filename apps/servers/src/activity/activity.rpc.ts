import { Injectable } from '@nestjs/common';
import type { RpcPayload, RpcResponse } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { ActivityService } from './activity.service.js';

@Injectable()
export class ActivityRpc {
  constructor(private readonly activity: ActivityService) {}

  @OnRpc('servers.activity')
  forServer({ actor, serverId, ...page }: RpcPayload<'servers.activity'>): Promise<RpcResponse<'servers.activity'>> {
    return this.activity.forServer(actor, serverId, page);
  }

  @OnRpc('servers.admin.activity')
  forAdmin({ actor, ...query }: RpcPayload<'servers.admin.activity'>): Promise<RpcResponse<'servers.admin.activity'>> {
    return this.activity.forAdmin(actor, query);
  }
}
