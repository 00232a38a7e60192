import { Injectable } from '@nestjs/common';
import type { RpcPayload, RpcResponse } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { AccessService } from './access.service.js';
import { SubusersService } from './subusers.service.js';

@Injectable()
export class AccessRpc {
  constructor(
    private readonly access: AccessService,
    private readonly subusers: SubusersService,
  ) {}

  @OnRpc('servers.access')
  serverAccess({ actor, serverId }: RpcPayload<'servers.access'>): Promise<RpcResponse<'servers.access'>> {
    return this.access.access(actor, serverId);
  }

  @OnRpc('servers.subusers.list')
  list({ actor, serverId }: RpcPayload<'servers.subusers.list'>): Promise<RpcResponse<'servers.subusers.list'>> {
    return this.subusers.list(actor, serverId);
  }

  @OnRpc('servers.subusers.create')
  create({
    actor,
    serverId,
    ...invite
  }: RpcPayload<'servers.subusers.create'>): Promise<RpcResponse<'servers.subusers.create'>> {
    return this.subusers.invite(actor, serverId, invite);
  }

  @OnRpc('servers.subusers.update')
  update({
    actor,
    serverId,
    userId,
    ...change
  }: RpcPayload<'servers.subusers.update'>): Promise<RpcResponse<'servers.subusers.update'>> {
    return this.subusers.update(actor, serverId, userId, change);
  }

  @OnRpc('servers.subusers.remove')
  async remove({
    actor,
    serverId,
    userId,
  }: RpcPayload<'servers.subusers.remove'>): Promise<RpcResponse<'servers.subusers.remove'>> {
    await this.subusers.remove(actor, serverId, userId);
    return {};
  }
}
