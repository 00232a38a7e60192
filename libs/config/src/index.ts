export * from './load-config.js';
export * from './env-types.js';
export * from './sections.js';
