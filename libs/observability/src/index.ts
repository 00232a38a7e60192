export * from './logger.js';
export * from './telemetry.js';
export * from './metrics.js';
export * from './readiness.js';
