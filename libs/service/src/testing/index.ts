export * from './service-harness.js';
export * from './service-contract.js';
export * from './service-client.js';
