export { startGameServer, type GameServer, type GameServerOptions } from './game-server.js';
export { offlinePlayerUuid } from './offline-uuid.js';
