import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DomainError,
  type InviteSubuserRequest,
  type Subuser,
  type UpdateSubuserRequest,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';

/** The people a server is shared with, kept by the servers service (which also refuses grants beyond the granter's). */
@Injectable()
export class SubusersGatewayService {
  constructor(private readonly rpc: RpcClient) {}

  list(actor: Actor, serverId: string): Promise<Subuser[]> {
    return this.rpc.request('servers.subusers.list', { actor, serverId });
  }

  /** There is no single-sub-user RPC: a server has few of them, so the list is read and searched. */
  async get(actor: Actor, serverId: string, userId: string): Promise<Subuser> {
    const found = (await this.list(actor, serverId)).find((subuser) => subuser.userId === userId);
    if (found === undefined) throw new DomainError('NOT_FOUND', 'sub-user not found');
    return found;
  }

  invite(actor: Actor, serverId: string, body: InviteSubuserRequest): Promise<Subuser> {
    return this.rpc.request('servers.subusers.create', { actor, serverId, ...body });
  }

  update(actor: Actor, serverId: string, userId: string, body: UpdateSubuserRequest): Promise<Subuser> {
    return this.rpc.request('servers.subusers.update', { actor, serverId, userId, ...body });
  }

  async remove(actor: Actor, serverId: string, userId: string): Promise<void> {
    await this.rpc.request('servers.subusers.remove', { actor, serverId, userId });
  }
}
