import type { Server, ServerSpec } from '@blockplane/contracts';
import type { GameServerRow } from './game-server.repository.js';

export function toServer(server: GameServerRow): Server {
  return {
    id: server.id,
    ownerId: server.ownerId,
    name: server.name,
    type: server.type,
    version: server.version,
    plan: server.plan,
    status: server.status,
    statusReason: server.statusReason,
    address: server.address,
    resources: resourcesOf(server),
    createdAt: server.createdAt.toISOString(),
    updatedAt: server.updatedAt.toISOString(),
  };
}

/** What the provisioner needs to make the cluster match. */
export function toSpec(server: GameServerRow): ServerSpec {
  return {
    serverId: server.id,
    ownerId: server.ownerId,
    name: server.name,
    type: server.type,
    version: server.version,
    resources: resourcesOf(server),
    desiredState: server.desiredState,
  };
}

function resourcesOf(server: GameServerRow): Server['resources'] {
  return { cpuCores: server.cpuCores, memoryMb: server.memoryMb, diskGb: server.diskGb };
}
