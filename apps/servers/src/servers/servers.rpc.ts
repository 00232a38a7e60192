import { Injectable } from '@nestjs/common';
import type { RpcPayload, RpcResponse } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { ServersService } from './servers.service.js';

@Injectable()
export class ServersRpc {
  constructor(private readonly servers: ServersService) {}

  @OnRpc('servers.create')
  create({ actor, ...request }: RpcPayload<'servers.create'>): Promise<RpcResponse<'servers.create'>> {
    return this.servers.create(actor, request);
  }

  @OnRpc('servers.dashboard')
  dashboard({ actor, ...page }: RpcPayload<'servers.dashboard'>): Promise<RpcResponse<'servers.dashboard'>> {
    return this.servers.dashboard(actor, page);
  }

  @OnRpc('servers.get')
  get({ actor, serverId }: RpcPayload<'servers.get'>): Promise<RpcResponse<'servers.get'>> {
    return this.servers.get(actor, serverId);
  }

  @OnRpc('servers.power')
  power({ actor, serverId, action }: RpcPayload<'servers.power'>): Promise<RpcResponse<'servers.power'>> {
    return this.servers.power(actor, serverId, action);
  }

  @OnRpc('servers.delete')
  delete({ actor, serverId }: RpcPayload<'servers.delete'>): Promise<RpcResponse<'servers.delete'>> {
    return this.servers.delete(actor, serverId);
  }

  @OnRpc('servers.usage')
  usage({ actor }: RpcPayload<'servers.usage'>): Promise<RpcResponse<'servers.usage'>> {
    return this.servers.usage(actor);
  }

  @OnRpc('servers.admin.list')
  adminList({ actor, ...query }: RpcPayload<'servers.admin.list'>): Promise<RpcResponse<'servers.admin.list'>> {
    return this.servers.adminList(actor, query);
  }

  @OnRpc('servers.desired-state')
  desiredState(page: RpcPayload<'servers.desired-state'>): Promise<RpcResponse<'servers.desired-state'>> {
    return this.servers.desiredState(page);
  }
}
