import type { Resources } from '@blockplane/contracts';
import type { GameServerRow } from '../servers/game-server.repository.js';

/** What a server holds of its owner's quota. */
export interface Claim extends Resources {
  servers: number;
}

export const noClaim: Claim = { servers: 0, cpuCores: 0, memoryMb: 0, diskGb: 0 };

/**
 * The one rule of what counts: a server and its disk count until its owner deletes it or it is gone;
 * CPU and memory only while it is meant to run.
 */
export function claimOf(
  server: Pick<GameServerRow, 'desiredState' | 'status' | 'cpuCores' | 'memoryMb' | 'diskGb'>,
): Claim {
  if (server.desiredState === 'deleted' || server.status === 'deleted') return noClaim;
  const running = server.desiredState === 'running';
  return {
    servers: 1,
    diskGb: server.diskGb,
    cpuCores: running ? server.cpuCores : 0,
    memoryMb: running ? server.memoryMb : 0,
  };
}
