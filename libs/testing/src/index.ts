export * from './test-env.js';
export * from './wait-for.js';
export * from './private-nats.js';
export * from './service-process.js';
export * from './stack-database.js';
export * from './kube-request-counter.js';
export * from './stack.js';
export * from './gateway-client.js';
