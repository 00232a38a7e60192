// Server console commands with the replies a 1.21 server gives. Pure logic over a
// CommandServer; the game server supplies state and carries out the side effects.
import { offlinePlayerUuid } from './offline-uuid.js';
import type { PlayerEntry, PlayerListFile } from './server-files.js';

export type Difficulty = 'peaceful' | 'easy' | 'normal' | 'hard';
export type Weather = 'clear' | 'rain' | 'thunder';

export interface WorldState {
  time: number;
  weather: Weather;
  difficulty: Difficulty;
  /** only rules changed from their defaults */
  gamerules: Map<string, string>;
}

export interface CommandServer {
  readonly world: WorldState;
  readonly lists: Record<PlayerListFile, PlayerEntry[]>;
  maxPlayers(): number;
  onlinePlayers(): string[];
  seed(): bigint;
  whitelistEnabled(): boolean;
  setWhitelistEnabled(on: boolean): void;
  /** a player list changed: write its file */
  persist(file: PlayerListFile): void;
  disconnect(name: string, reason: string): void;
  broadcast(line: string): void;
  save(): void;
  stop(): void;
}

/** What the server says back; source is who typed it ("Server" for the console, "Rcon"). */
export function runCommand(server: CommandServer, input: string, source: 'Server' | 'Rcon'): string[] {
  const line = input.trim().replace(/^\//, '');
  const [name = '', ...args] = line.split(/\s+/);
  const handler = COMMANDS[name.toLowerCase()];
  if (!handler) return incomplete(line);
  return handler(server, args, { line, source });
}

/**
 * Commands that only report. A real server answers them to the caller alone (vanilla's
 * `sendSuccess(…, false)`); commands that change something are also logged for everyone to see.
 */
const QUERIES = new Set(['list', 'seed', 'help']);

export function isQuery(input: string): boolean {
  const [name = ''] = input.trim().replace(/^\//, '').split(/\s+/);
  return QUERIES.has(name.toLowerCase());
}

interface Invocation {
  line: string;
  source: 'Server' | 'Rcon';
}
type Handler = (server: CommandServer, args: string[], call: Invocation) => string[];

const GAMERULES: Record<string, string> = {
  announceAdvancements: 'true',
  commandBlockOutput: 'true',
  doDaylightCycle: 'true',
  doEntityDrops: 'true',
  doFireTick: 'true',
  doImmediateRespawn: 'false',
  doInsomnia: 'true',
  doMobLoot: 'true',
  doMobSpawning: 'true',
  doTileDrops: 'true',
  doWeatherCycle: 'true',
  keepInventory: 'false',
  logAdminCommands: 'true',
  maxEntityCramming: '24',
  mobGriefing: 'true',
  naturalRegeneration: 'true',
  playersSleepingPercentage: '100',
  randomTickSpeed: '3',
  reducedDebugInfo: 'false',
  sendCommandFeedback: 'true',
  showDeathMessages: 'true',
  spawnRadius: '10',
  spectatorsGenerateChunks: 'true',
};

const TIMES: Record<string, number> = { day: 1000, noon: 6000, night: 13000, midnight: 18000 };
const DIFFICULTIES: Difficulty[] = ['peaceful', 'easy', 'normal', 'hard'];

const COMMANDS: Record<string, Handler> = {
  list: (s) => {
    const players = s.onlinePlayers();
    return [`There are ${players.length} of a max of ${s.maxPlayers()} players online: ${players.join(', ')}`];
  },
  say: (s, args, call) => {
    if (args.length === 0) return incomplete(call.line);
    s.broadcast(`[${call.source}] ${args.join(' ')}`);
    return [];
  },
  op: (s, args, call) =>
    withPlayer(args, call, (name) =>
      addEntry(s, 'ops.json', name, { level: 4, bypassesPlayerLimit: false })
        ? [`Made ${name} a server operator`]
        : ['Nothing changed. The player already is an operator'],
    ),
  deop: (s, args, call) =>
    withPlayer(args, call, (name) =>
      removeEntry(s, 'ops.json', name)
        ? [`Made ${name} no longer a server operator`]
        : ['Nothing changed. The player is not an operator'],
    ),
  whitelist: whitelistCommand,
  kick: (s, args, call) =>
    withPlayer(args, call, (name) => {
      const online = s.onlinePlayers().find((p) => p.toLowerCase() === name.toLowerCase());
      if (!online) return ['No player was found'];
      const reason = args.slice(1).join(' ') || 'Kicked by an operator';
      s.disconnect(online, reason);
      return [`Kicked ${online}: ${reason}`];
    }),
  ban: (s, args, call) =>
    withPlayer(args, call, (name) => {
      const reason = args.slice(1).join(' ') || 'Banned by an operator.';
      const banned = addEntry(s, 'banned-players.json', name, {
        created: javaTimestamp(new Date()),
        source: call.source,
        expires: 'forever',
        reason,
      });
      if (!banned) return ['Nothing changed. The player is already banned'];
      const online = s.onlinePlayers().find((p) => p.toLowerCase() === name.toLowerCase());
      if (online) s.disconnect(online, 'You are banned from this server.');
      return [`Banned ${name}: ${reason}`];
    }),
  pardon: (s, args, call) =>
    withPlayer(args, call, (name) =>
      removeEntry(s, 'banned-players.json', name) ? [`Unbanned ${name}`] : ["Nothing changed. The player isn't banned"],
    ),
  time: timeCommand,
  weather: (s, args, call) => {
    const weather = args[0] as Weather | undefined;
    if (weather !== 'clear' && weather !== 'rain' && weather !== 'thunder') return incomplete(call.line);
    s.world.weather = weather;
    return [weather === 'thunder' ? 'Set the weather to rain & thunder' : `Set the weather to ${weather}`];
  },
  gamerule: (s, args, call) => {
    const [rule, value] = args;
    const fallback = rule === undefined ? undefined : GAMERULES[rule];
    if (rule === undefined || fallback === undefined) return incomplete(call.line);
    if (value === undefined)
      return [`Gamerule ${rule} is currently set to: ${s.world.gamerules.get(rule) ?? fallback}`];
    const numeric = /^\d+$/.test(fallback);
    if (numeric ? !/^-?\d+$/.test(value) : value !== 'true' && value !== 'false') return incorrect(call.line);
    if (value === fallback) s.world.gamerules.delete(rule);
    else s.world.gamerules.set(rule, value);
    return [`Gamerule ${rule} is now set to: ${value}`];
  },
  difficulty: (s, args, call) => {
    const wanted = args[0]?.toLowerCase();
    if (wanted === undefined) return [`The difficulty is ${title(s.world.difficulty)}`];
    const difficulty = DIFFICULTIES.find((d) => d === wanted);
    if (!difficulty) return incorrect(call.line);
    if (difficulty === s.world.difficulty)
      return [`The difficulty did not change; it is already set to ${title(difficulty)}`];
    s.world.difficulty = difficulty;
    return [`The difficulty has been set to ${title(difficulty)}`];
  },
  'save-all': (s) => {
    s.save();
    return ['Saving the game (this may take a moment!)', 'Saved the game'];
  },
  'save-on': () => ['Automatic saving is now enabled'],
  'save-off': () => ['Automatic saving is now disabled'],
  seed: (s) => [`Seed: [${s.seed()}]`],
  help: () => Object.values(USAGE),
  stop: (s) => {
    s.stop();
    return ['Stopping the server'];
  },
};

const USAGE: Record<string, string> = {
  ban: '/ban <targets> [<reason>]',
  deop: '/deop <targets>',
  difficulty: '/difficulty [peaceful|easy|normal|hard]',
  gamerule:
    '/gamerule (announceAdvancements|commandBlockOutput|doDaylightCycle|doFireTick|keepInventory|mobGriefing|randomTickSpeed|...)',
  help: '/help [<command>]',
  kick: '/kick <targets> [<reason>]',
  list: '/list [uuids]',
  op: '/op <targets>',
  pardon: '/pardon <targets>',
  'save-all': '/save-all [flush]',
  'save-off': '/save-off',
  'save-on': '/save-on',
  say: '/say <message>',
  seed: '/seed',
  stop: '/stop',
  time: '/time (add|query|set)',
  weather: '/weather (clear|rain|thunder)',
  whitelist: '/whitelist (add|list|off|on|reload|remove)',
};

function whitelistCommand(s: CommandServer, args: string[], call: Invocation): string[] {
  const [action, name] = args;
  switch (action) {
    case 'on':
    case 'off': {
      const on = action === 'on';
      if (s.whitelistEnabled() === on) return [`Whitelist is already turned ${action}`];
      s.setWhitelistEnabled(on);
      return [`Whitelist is now turned ${action}`];
    }
    case 'list': {
      const names = s.lists['whitelist.json'].map((e) => e.name);
      return names.length === 0
        ? ['There are no whitelisted players']
        : [`There are ${names.length} whitelisted player(s): ${names.join(', ')}`];
    }
    case 'reload':
      return ['Reloaded the whitelist'];
    case 'add':
      if (!name) return incomplete(call.line);
      return addEntry(s, 'whitelist.json', name, {})
        ? [`Added ${name} to the whitelist`]
        : ['Player is already whitelisted'];
    case 'remove':
      if (!name) return incomplete(call.line);
      return removeEntry(s, 'whitelist.json', name)
        ? [`Removed ${name} from the whitelist`]
        : ['Player is not whitelisted'];
    default:
      return incomplete(call.line);
  }
}

function timeCommand(s: CommandServer, args: string[], call: Invocation): string[] {
  const [action, value] = args;
  if (action === 'query') {
    const time = s.world.time;
    const answer =
      value === 'daytime'
        ? time % 24000
        : value === 'gametime'
          ? time
          : value === 'day'
            ? Math.floor(time / 24000)
            : undefined;
    return answer === undefined ? incomplete(call.line) : [`The time is ${answer}`];
  }
  if ((action !== 'set' && action !== 'add') || value === undefined) return incomplete(call.line);
  const ticks = TIMES[value] ?? parseTicks(value);
  if (ticks === undefined || (action === 'add' && value in TIMES)) return incorrect(call.line);
  s.world.time = action === 'set' ? ticks : s.world.time + ticks;
  return [`Set the time to ${s.world.time % 24000}`];
}

/** "100", "100t", "5s" (20 ticks each) or "1d" (24000 ticks). */
function parseTicks(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([dst]?)$/.exec(value);
  if (!match) return undefined;
  const factor = { d: 24000, s: 20, t: 1, '': 1 }[match[2] as 'd' | 's' | 't' | ''];
  return Math.round(Number(match[1]) * factor);
}

function withPlayer(args: string[], call: Invocation, fn: (name: string) => string[]): string[] {
  const name = args[0];
  if (!name) return incomplete(call.line);
  if (!/^\w{1,16}$/.test(name)) return incorrect(call.line);
  return fn(name);
}

function addEntry(s: CommandServer, file: PlayerListFile, name: string, extra: Record<string, unknown>): boolean {
  const list = s.lists[file];
  if (list.some((e) => e.name.toLowerCase() === name.toLowerCase())) return false;
  list.push({ uuid: offlinePlayerUuid(name), name, ...extra });
  s.persist(file);
  return true;
}

function removeEntry(s: CommandServer, file: PlayerListFile, name: string): boolean {
  const list = s.lists[file];
  const index = list.findIndex((e) => e.name.toLowerCase() === name.toLowerCase());
  if (index < 0) return false;
  list.splice(index, 1);
  s.persist(file);
  return true;
}

/** Brigadier's parse error: the command with a cursor after at most 10 characters of context. */
function incomplete(line: string): string[] {
  return ['Unknown or incomplete command, see below for error', `${context(line)}<--[HERE]`];
}

function incorrect(line: string): string[] {
  return ['Incorrect argument for command', `${context(line)}<--[HERE]`];
}

function context(line: string): string {
  return line.length > 10 ? `...${line.slice(-10)}` : line;
}

function title(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The "created" field of banned-players.json: "2025-01-25 12:00:00 +0000". */
function javaTimestamp(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000`;
}
