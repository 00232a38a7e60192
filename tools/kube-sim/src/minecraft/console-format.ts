// Console line formats: the image's own "[init]" lines, then the server's log4j lines,
// whose layout differs between vanilla/Fabric, Paper/Spigot and Forge.
import type { ServerType } from './server-config.js';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

export interface LogEntry {
  message: string;
  level?: LogLevel;
  thread?: string;
}

export function initLine(message: string): string {
  return `[init] ${message}`;
}

export function formatServerLine(type: ServerType, entry: LogEntry, now: Date): string {
  const time = now.toISOString().slice(11, 19);
  const level = entry.level ?? 'INFO';
  const thread = entry.thread ?? 'Server thread';
  switch (type) {
    case 'PAPER':
    case 'SPIGOT':
      return `[${time} ${level}]: ${entry.message}`;
    case 'FORGE':
      return `[${time}] [${thread}/${level}] [minecraft/DedicatedServer]: ${entry.message}`;
    default:
      return `[${time}] [${thread}/${level}]: ${entry.message}`;
  }
}
