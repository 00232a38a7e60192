import { describe, expect, it } from '@jest/globals';
import { ConfigError, eulaAccepted, readServerConfig } from './server-config.js';

describe('readServerConfig', () => {
  it('maps the environment to server.properties keys like the image', () => {
    const config = readServerConfig({
      EULA: 'TRUE',
      MAX_PLAYERS: '5',
      PVP: 'FALSE',
      MODE: 'creative',
      DIFFICULTY: '3',
      LEVEL: 'lobby',
      RCON_PASSWORD: 'pw',
      MEMORY: '2G',
    });
    expect(config.type).toBe('VANILLA');
    expect(config.version).toBe('1.21.4');
    expect(config.protocol).toBe(769);
    expect(Object.fromEntries(config.properties)).toMatchObject({
      'max-players': '5',
      pvp: 'false',
      gamemode: 'creative',
      difficulty: 'hard',
      'level-name': 'lobby',
      'enable-rcon': 'true',
      'rcon.password': 'pw',
      'rcon.port': '25575',
      'white-list': 'false',
    });
    expect([config.initMemory, config.maxMemory]).toEqual(['2G', '2G']);
    expect(config.generatedRconPassword).toBeUndefined();
  });

  it('generates an RCON password only when none is given and RCON is on', () => {
    const a = readServerConfig({});
    const b = readServerConfig({});
    expect(a.generatedRconPassword).toMatch(/^[0-9a-f]{24}$/);
    expect(a.generatedRconPassword).not.toBe(b.generatedRconPassword);
    expect(readServerConfig({ ENABLE_RCON: 'false' }).generatedRconPassword).toBeUndefined();
  });

  it('turns the whitelist on when WHITELIST lists players', () => {
    const config = readServerConfig({ WHITELIST: 'alice,bob', TYPE: 'paper', VERSION: '1.20.1', OPS: 'carol' });
    expect(config.whitelist).toEqual(['alice', 'bob']);
    expect(config.ops).toEqual(['carol']);
    expect(config.properties.get('white-list')).toBe('true');
    expect([config.type, config.protocol, config.defaultMotd]).toEqual([
      'PAPER',
      763,
      'A Paper Minecraft Server powered by Docker',
    ]);
  });

  it('rejects what the image rejects', () => {
    expect(() => readServerConfig({ TYPE: 'NOPE' })).toThrow(ConfigError);
    expect(() => readServerConfig({ DIFFICULTY: 'brutal' })).toThrow(
      'DIFFICULTY must be peaceful, easy, normal, or hard.',
    );
    expect(() => readServerConfig({ MODE: 'godmode' })).toThrow('Invalid game mode: godmode');
  });

  it('accepts the EULA case-insensitively', () => {
    expect(eulaAccepted({ EULA: 'true' })).toBe(true);
    expect(eulaAccepted({ EULA: 'TrUe' })).toBe(true);
    expect(eulaAccepted({ EULA: 'nope' })).toBe(false);
    expect(eulaAccepted({})).toBe(false);
  });
});
