export * from './run-service.js';
export * from './service-core.module.js';
export * from './error.filter.js';
export * from './public.decorator.js';
