export * from './rcon-packets.js';
