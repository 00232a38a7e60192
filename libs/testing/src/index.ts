export * from './test-env.js';
export * from './wait-for.js';
export * from './private-nats.js';
