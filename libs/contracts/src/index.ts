export * from './auth/actor.js';
export * from './auth/permissions.js';
export * from './api/auth.dto.js';
export * from './api/servers.dto.js';
export * from './api/access.dto.js';
export * from './events/event-catalogue.js';
export * from './events/event-envelope.js';
export * from './rpc/rpc-catalogue.js';
export * from './errors/error-codes.js';
export * from './kube/game-server-objects.js';
export * from './files/files.dto.js';
export * from './console/index.js';

/** The platform's release, reported by every service. */
export const PLATFORM_VERSION = '0.1.0';
