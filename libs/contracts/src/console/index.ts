export * from './console.frames.js';
export * from './console.protocol.js';
export * from './console.rpc.js';
