import { describe, expect, it } from '@jest/globals';
import { isQuery, runCommand, type CommandServer } from './console-commands.js';
import type { PlayerListFile } from './server-files.js';

function fakeServer(online: string[] = []) {
  const persisted: PlayerListFile[] = [];
  const events: string[] = [];
  let whitelist = false;
  const server: CommandServer = {
    world: { time: 0, weather: 'clear', difficulty: 'easy', gamerules: new Map() },
    lists: { 'ops.json': [], 'whitelist.json': [], 'banned-players.json': [] },
    maxPlayers: () => 20,
    onlinePlayers: () => online,
    seed: () => -42n,
    whitelistEnabled: () => whitelist,
    setWhitelistEnabled: (on) => (whitelist = on),
    persist: (file) => persisted.push(file),
    disconnect: (name, reason) => {
      online.splice(online.indexOf(name), 1);
      events.push(`disconnect ${name}: ${reason}`);
    },
    broadcast: (line) => events.push(`broadcast ${line}`),
    save: () => events.push('save'),
    stop: () => events.push('stop'),
  };
  return {
    server,
    persisted,
    events,
    run: (line: string, source: 'Server' | 'Rcon' = 'Server') => runCommand(server, line, source),
  };
}

describe('console commands', () => {
  it('lists players like the real server, also with nobody online', () => {
    expect(fakeServer(['alice', 'bob']).run('list')).toEqual(['There are 2 of a max of 20 players online: alice, bob']);
    expect(fakeServer().run('/list')).toEqual(['There are 0 of a max of 20 players online: ']);
  });

  it('keeps ops, whitelist and bans in their lists and persists each change', () => {
    const { server, persisted, events, run } = fakeServer(['mallory']);
    expect(run('op Alice')).toEqual(['Made Alice a server operator']);
    expect(run('op alice')).toEqual(['Nothing changed. The player already is an operator']);
    expect(run('deop alice')).toEqual(['Made alice no longer a server operator']);
    expect(run('whitelist on')).toEqual(['Whitelist is now turned on']);
    expect(run('whitelist on')).toEqual(['Whitelist is already turned on']);
    expect(run('whitelist list')).toEqual(['There are no whitelisted players']);
    expect(run('ban mallory griefing')).toEqual(['Banned mallory: griefing']);
    expect(events).toContain('disconnect mallory: You are banned from this server.');
    expect(server.lists['banned-players.json'][0]).toMatchObject({
      name: 'mallory',
      reason: 'griefing',
      expires: 'forever',
      source: 'Server',
    });
    expect(run('pardon mallory')).toEqual(['Unbanned mallory']);
    expect(run('pardon mallory')).toEqual(["Nothing changed. The player isn't banned"]);
    expect(persisted).toEqual(['ops.json', 'ops.json', 'banned-players.json', 'banned-players.json']);
  });

  it('changes time, weather, difficulty and game rules', () => {
    const { server, run } = fakeServer();
    expect(run('time set midnight')).toEqual(['Set the time to 18000']);
    expect(run('time add 1d')).toEqual(['Set the time to 18000']);
    expect(run('time query gametime')).toEqual(['The time is 42000']);
    expect(run('time set soon')).toEqual(['Incorrect argument for command', '...e set soon<--[HERE]']);
    expect(run('weather rain')).toEqual(['Set the weather to rain']);
    expect(server.world.weather).toBe('rain');
    expect(run('difficulty')).toEqual(['The difficulty is Easy']);
    expect(run('difficulty easy')).toEqual(['The difficulty did not change; it is already set to Easy']);
    expect(run('gamerule randomTickSpeed')).toEqual(['Gamerule randomTickSpeed is currently set to: 3']);
    expect(run('gamerule randomTickSpeed fast')).toEqual(['Incorrect argument for command', '...Speed fast<--[HERE]']);
    expect(run('gamerule doDaylightCycle false')).toEqual(['Gamerule doDaylightCycle is now set to: false']);
    expect(server.world.gamerules).toEqual(new Map([['doDaylightCycle', 'false']]));
  });

  it('says, saves, stops and refuses unknown commands', () => {
    const { events, run } = fakeServer();
    expect(run('say hello world', 'Rcon')).toEqual([]);
    expect(run('save-all')).toEqual(['Saving the game (this may take a moment!)', 'Saved the game']);
    expect(run('seed')).toEqual(['Seed: [-42]']);
    expect(run('stop')).toEqual(['Stopping the server']);
    expect(events).toEqual(['broadcast [Rcon] hello world', 'save', 'stop']);
    expect(run('op')).toEqual(['Unknown or incomplete command, see below for error', 'op<--[HERE]']);
    expect(run('fly')).toEqual(['Unknown or incomplete command, see below for error', 'fly<--[HERE]']);
    expect(run('help')).toContain('/whitelist (add|list|off|on|reload|remove)');
  });

  it('tells queries, answered to the caller alone, from commands that change something', () => {
    expect(['list', '/list uuids', ' SEED', 'help op'].filter(isQuery)).toHaveLength(4);
    expect(['op alice', 'say hi', 'listen', ''].some(isQuery)).toBe(false);
  });
});
