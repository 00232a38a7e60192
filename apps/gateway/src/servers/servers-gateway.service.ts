import { Injectable } from '@nestjs/common';
import type {
  ActivityPage,
  Actor,
  CreateServerRequest,
  Dashboard,
  DashboardPage,
  PageQuery,
  Plan,
  PowerRequest,
  Server,
  ServerTypeInfo,
  Usage,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';

/** Carries server requests to the servers service, on behalf of the authenticated actor. */
@Injectable()
export class ServersGatewayService {
  constructor(private readonly rpc: RpcClient) {}

  plans(): Promise<Plan[]> {
    return this.rpc.request('servers.plans', {});
  }

  types(): Promise<ServerTypeInfo[]> {
    return this.rpc.request('servers.types', {});
  }

  create(actor: Actor, body: CreateServerRequest): Promise<Server> {
    return this.rpc.request('servers.create', { actor, ...body });
  }

  dashboard(actor: Actor, page: DashboardPage): Promise<Dashboard> {
    return this.rpc.request('servers.dashboard', { actor, ...page });
  }

  get(actor: Actor, serverId: string): Promise<Server> {
    return this.rpc.request('servers.get', { actor, serverId });
  }

  power(actor: Actor, serverId: string, body: PowerRequest): Promise<Server> {
    return this.rpc.request('servers.power', { actor, serverId, ...body });
  }

  delete(actor: Actor, serverId: string): Promise<Server> {
    return this.rpc.request('servers.delete', { actor, serverId });
  }

  usage(actor: Actor): Promise<Usage> {
    return this.rpc.request('servers.usage', { actor });
  }

  activity(actor: Actor, serverId: string, page: PageQuery): Promise<ActivityPage> {
    return this.rpc.request('servers.activity', { actor, serverId, ...page });
  }
}
