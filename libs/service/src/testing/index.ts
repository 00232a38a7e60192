export * from './service-harness.js';
export * from './service-contract.js';
