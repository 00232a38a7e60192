export * from './database.module.js';
export * from './orm-options.js';
export * from './postgres-inbox.store.js';
export * from './processed-event.entity.js';
export * from './migrate.command.js';
export * from './outbox.js';
export * from './outbox-relay.js';
export * from './outbox-event.entity.js';
