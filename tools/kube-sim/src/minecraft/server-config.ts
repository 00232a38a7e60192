// The container environment read the way the itzg/minecraft-server image documents it.
import { randomBytes } from 'node:crypto';

export const SERVER_TYPES = ['VANILLA', 'PAPER', 'SPIGOT', 'FORGE', 'FABRIC'] as const;
export type ServerType = (typeof SERVER_TYPES)[number];

export const LATEST_VERSION = '1.21.4';
const LATEST_PROTOCOL = 769;
// Protocol numbers the Server List Ping reports; versions not listed report the newest.
const PROTOCOLS: Record<string, number> = {
  '1.21.4': 769,
  '1.21.3': 768,
  '1.21.2': 768,
  '1.21.1': 767,
  '1.21': 767,
  '1.20.6': 766,
  '1.20.5': 766,
  '1.20.4': 765,
  '1.20.3': 765,
  '1.20.2': 764,
  '1.20.1': 763,
  '1.20': 763,
  '1.19.4': 762,
  '1.19.2': 760,
  '1.18.2': 758,
  '1.17.1': 756,
  '1.16.5': 754,
  '1.12.2': 340,
  '1.8.9': 47,
};

export interface ServerConfig {
  type: ServerType;
  version: string;
  protocol: number;
  initMemory: string;
  maxMemory: string;
  /** set when RCON_PASSWORD was not given: the image generates one on every start */
  generatedRconPassword?: string;
  /** server.properties keys the environment sets: they win over the file on every start */
  properties: Map<string, string>;
  /** motd for a freshly created server.properties when MOTD is not set */
  defaultMotd: string;
  ops: string[];
  whitelist: string[];
}

/** The environment cannot be run: the image prints these lines and exits 1. */
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export function isTrue(value: string | undefined): boolean {
  return /^(true|on|1|yes)$/i.test(value?.trim() ?? '');
}

export function eulaAccepted(env: Record<string, string>): boolean {
  return isTrue(env.EULA);
}

// Environment variable → server.properties key, as the image maps them.
const PROPERTY_ENV: ReadonlyArray<[env: string, key: string]> = [
  ['SERVER_NAME', 'server-name'],
  ['SERVER_PORT', 'server-port'],
  ['ALLOW_NETHER', 'allow-nether'],
  ['ENABLE_COMMAND_BLOCK', 'enable-command-block'],
  ['SPAWN_ANIMALS', 'spawn-animals'],
  ['SPAWN_MONSTERS', 'spawn-monsters'],
  ['SPAWN_NPCS', 'spawn-npcs'],
  ['SPAWN_PROTECTION', 'spawn-protection'],
  ['GENERATE_STRUCTURES', 'generate-structures'],
  ['VIEW_DISTANCE', 'view-distance'],
  ['HARDCORE', 'hardcore'],
  ['FORCE_GAMEMODE', 'force-gamemode'],
  ['MAX_TICK_TIME', 'max-tick-time'],
  ['ENABLE_QUERY', 'enable-query'],
  ['QUERY_PORT', 'query.port'],
  ['ENABLE_RCON', 'enable-rcon'],
  ['RCON_PASSWORD', 'rcon.password'],
  ['RCON_PORT', 'rcon.port'],
  ['MAX_PLAYERS', 'max-players'],
  ['MAX_WORLD_SIZE', 'max-world-size'],
  ['LEVEL', 'level-name'],
  ['SEED', 'level-seed'],
  ['PVP', 'pvp'],
  ['GENERATOR_SETTINGS', 'generator-settings'],
  ['ONLINE_MODE', 'online-mode'],
  ['ALLOW_FLIGHT', 'allow-flight'],
  ['RESOURCE_PACK', 'resource-pack'],
  ['PLAYER_IDLE_TIMEOUT', 'player-idle-timeout'],
  ['ENABLE_STATUS', 'enable-status'],
  ['ENFORCE_WHITELIST', 'enforce-whitelist'],
  ['SIMULATION_DISTANCE', 'simulation-distance'],
  ['OP_PERMISSION_LEVEL', 'op-permission-level'],
  ['MOTD', 'motd'],
];

const DIFFICULTIES: Record<string, string> = {
  peaceful: 'peaceful',
  '0': 'peaceful',
  easy: 'easy',
  '1': 'easy',
  normal: 'normal',
  '2': 'normal',
  hard: 'hard',
  '3': 'hard',
};

export function readServerConfig(env: Record<string, string>): ServerConfig {
  const type = (env.TYPE ?? 'VANILLA').toUpperCase();
  if (!isServerType(type)) {
    throw new ConfigError([`Invalid TYPE: '${env.TYPE}'`, `Must be: ${SERVER_TYPES.join(', ')}`]);
  }
  const version = resolveVersion(env.VERSION);
  const memory = env.MEMORY ?? '1G';
  const properties = new Map<string, string>();
  for (const [name, key] of PROPERTY_ENV) {
    const value = env[name];
    if (value !== undefined) properties.set(key, normalizeBoolean(value));
  }
  if (!properties.has('enable-rcon')) properties.set('enable-rcon', 'true');
  if (!properties.has('rcon.port')) properties.set('rcon.port', '25575');
  let generatedRconPassword: string | undefined;
  if (isTrue(properties.get('enable-rcon')) && !properties.has('rcon.password')) {
    generatedRconPassword = randomBytes(12).toString('hex');
    properties.set('rcon.password', generatedRconPassword);
  }
  if (env.DIFFICULTY) {
    const difficulty = DIFFICULTIES[env.DIFFICULTY.toLowerCase()];
    if (!difficulty) throw new ConfigError(['DIFFICULTY must be peaceful, easy, normal, or hard.']);
    properties.set('difficulty', difficulty);
  }
  const mode = env.MODE ?? env.GAMEMODE;
  if (mode) properties.set('gamemode', resolveGameMode(mode));
  const whitelist = splitList(env.WHITELIST);
  const whitelistOn = whitelist.length > 0 || isTrue(env.ENABLE_WHITELIST);
  properties.set('white-list', String(whitelistOn));
  properties.set('enforce-whitelist', properties.get('enforce-whitelist') ?? String(whitelistOn));
  const label = type.charAt(0) + type.slice(1).toLowerCase();
  return {
    type,
    version,
    protocol: PROTOCOLS[version] ?? LATEST_PROTOCOL,
    initMemory: env.INIT_MEMORY ?? memory,
    maxMemory: env.MAX_MEMORY ?? memory,
    ...(generatedRconPassword ? { generatedRconPassword } : {}),
    properties,
    defaultMotd: `A ${label} Minecraft Server powered by Docker`,
    ops: splitList(env.OPS),
    whitelist,
  };
}

function isServerType(type: string): type is ServerType {
  return (SERVER_TYPES as readonly string[]).includes(type);
}

function resolveVersion(version: string | undefined): string {
  if (!version || version.toUpperCase() === 'LATEST') return LATEST_VERSION;
  if (!/^1\.\d+(\.\d+)?$/.test(version)) {
    throw new ConfigError([`Failed to install vanilla Minecraft version ${version}`]);
  }
  return version;
}

function resolveGameMode(mode: string): string {
  const m = mode.toLowerCase();
  if (m.startsWith('su') || m === '0') return 'survival';
  if (m.startsWith('c') || m === '1') return 'creative';
  if (m.startsWith('a') || m === '2') return 'adventure';
  if (m.startsWith('sp') || m === '3') return 'spectator';
  throw new ConfigError([`ERROR: Invalid game mode: ${mode}`]);
}

function normalizeBoolean(value: string): string {
  return /^(true|false)$/i.test(value) ? value.toLowerCase() : value;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}
