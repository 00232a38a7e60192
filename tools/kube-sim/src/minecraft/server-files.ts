// The files the image and the server keep in /data (the pod volume).
//
// Start-up reads and writes them synchronously on purpose: that is ~15 tiny file operations
// per server, a fraction of a millisecond in one go, whereas the promise API sends each
// open/write/close through libuv's 4-thread pool, where thousands of servers starting
// together queue behind each other for tens of seconds. Writes while running stay async.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_PROPERTIES } from './default-properties.js';
import { levelDat, readLevelSeed, seedFromProperty } from './level-dat.js';
import { offlinePlayerUuid } from './offline-uuid.js';
import type { ServerConfig } from './server-config.js';
import { formatProperties, parseProperties, type Properties } from './server-properties.js';

export interface PlayerEntry {
  uuid: string;
  name: string;
  [field: string]: unknown;
}

export const PLAYER_LIST_FILES = ['ops.json', 'whitelist.json', 'banned-players.json'] as const;
export type PlayerListFile = (typeof PLAYER_LIST_FILES)[number];

export function eulaFileAccepted(dataDir: string): boolean {
  const text = readText(join(dataDir, 'eula.txt'));
  return text !== undefined && parseProperties(text).get('eula')?.toLowerCase() === 'true';
}

export function writeEula(dataDir: string, now: Date): void {
  writeFileSync(join(dataDir, 'eula.txt'), `# Generated via Docker\n# ${now.toUTCString()}\neula=true\n`);
}

/**
 * Creates server.properties from the defaults when missing, then applies the keys the
 * environment sets; every other key keeps what is in the file (a user's edits survive).
 */
export function setupServerProperties(
  dataDir: string,
  config: ServerConfig,
  now: Date,
): { props: Properties; changed: number } {
  const path = join(dataDir, 'server.properties');
  const existing = readText(path);
  const props = existing === undefined ? new Map(DEFAULT_PROPERTIES) : parseProperties(existing);
  if (existing === undefined) props.set('motd', config.defaultMotd);
  let changed = 0;
  for (const [key, value] of config.properties) {
    if (props.get(key) === value) continue;
    props.set(key, value);
    changed++;
  }
  if (existing === undefined || changed > 0) writeFileSync(path, formatProperties(props, now));
  return { props, changed };
}

/** Reads a player list, adds the names the environment lists (OPS, WHITELIST) and writes it back if that changed it. */
export function loadPlayerList(
  dataDir: string,
  file: PlayerListFile,
  envNames: string[],
  extra: Record<string, unknown>,
): PlayerEntry[] {
  const text = readText(join(dataDir, file));
  const entries = text === undefined ? [] : parsePlayerList(text);
  const known = new Set(entries.map((e) => e.name.toLowerCase()));
  const added = envNames
    .filter((n) => !known.has(n.toLowerCase()))
    .map((name) => ({ uuid: offlinePlayerUuid(name), name, ...extra }));
  const merged = [...entries, ...added];
  if (text === undefined || added.length > 0) writeFileSync(join(dataDir, file), playerListJson(merged));
  return merged;
}

export async function writePlayerList(dataDir: string, file: PlayerListFile, entries: PlayerEntry[]): Promise<void> {
  await writeFile(join(dataDir, file), playerListJson(entries));
}

/** What rcon-cli reads when run inside the container (HOME is /data). */
export function writeRconCliConfig(dataDir: string, password: string): void {
  const env = join(dataDir, '.rcon-cli.env');
  if (readText(env) === `password=${password}\n`) return;
  writeFileSync(env, `password=${password}\n`);
  writeFileSync(join(dataDir, '.rcon-cli.yaml'), `password: "${password}"\n`);
}

/** Creates the world on first start; returns its seed. */
export function prepareWorld(dataDir: string, levelName: string, levelSeed: string, now: Date): bigint {
  const file = join(dataDir, levelName, 'level.dat');
  const existing = existsSync(file) ? readFileSync(file) : undefined;
  const seed = (existing && readLevelSeed(existing)) ?? seedFromProperty(levelSeed) ?? randomBytes(8).readBigInt64BE();
  if (!existing) {
    mkdirSync(join(dataDir, levelName), { recursive: true });
    writeFileSync(file, levelDat({ name: levelName, seed, time: 0, lastPlayed: now.getTime() }));
  }
  return seed;
}

export async function saveWorld(
  dataDir: string,
  levelName: string,
  seed: bigint,
  time: number,
  now: Date,
): Promise<void> {
  const dir = join(dataDir, levelName);
  await writeFile(join(dir, 'level.dat'), levelDat({ name: levelName, seed, time, lastPlayed: now.getTime() }));
  await utimes(dir, now, now);
}

function parsePlayerList(text: string): PlayerEntry[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as PlayerEntry[]).filter((e) => typeof e?.name === 'string') : [];
  } catch {
    return [];
  }
}

function playerListJson(entries: PlayerEntry[]): string {
  return JSON.stringify(entries, null, 2) + '\n';
}

function readText(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
