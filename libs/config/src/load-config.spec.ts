import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './load-config.js';
import { databaseSection, httpSection, natsSection } from './sections.js';

const sections = { http: httpSection(8081), nats: natsSection, database: databaseSection };
const valid = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/blockplane' };

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(sections, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('applies defaults and types every value', () => {
    const config = loadConfig(sections, valid);
    expect(config).toEqual({
      http: { host: '127.0.0.1', port: 8081, shutdownTimeoutMs: 10_000, idleTimeoutMs: 120_000 },
      nats: { url: 'nats://127.0.0.1:4222', namespace: 'blockplane' },
      database: { url: valid.DATABASE_URL, poolMax: 10 },
    });
  });

  it('reads the values it is given', () => {
    const config = loadConfig(sections, { ...valid, PORT: '9000', NATS_NAMESPACE: 'test_1', DATABASE_POOL_MAX: '3' });
    expect(config.http.port).toBe(9000);
    expect(config.nats.namespace).toBe('test_1');
    expect(config.database.poolMax).toBe(3);
  });

  it('names a missing required variable and what it expects', () => {
    expect(errorOf({})).toBe(
      'Invalid configuration: DATABASE_URL is required: expected a URL such as postgres://postgres@127.0.0.1:5432/blockplane',
    );
  });

  it.each([
    ['PORT', 'eighty', 'PORT="eighty" is invalid: expected a port number from 0 to 65535'],
    ['PORT', '70000', 'PORT="70000" is invalid: expected a port number from 0 to 65535'],
    ['NATS_URL', 'http://x', 'NATS_URL="http://x" is invalid: expected a URL such as nats://127.0.0.1:4222'],
    ['DATABASE_POOL_MAX', '0', 'DATABASE_POOL_MAX="0" is invalid: expected a whole number of at least 1'],
    ['NATS_NAMESPACE', 'Has.Dots', 'NATS_NAMESPACE="Has.Dots" is invalid: expected lower-case letters'],
  ])('rejects %s=%s', (name, value, message) => {
    expect(errorOf({ ...valid, [name]: value })).toContain(message);
  });

  it('treats an empty variable as unset', () => {
    expect(errorOf({ DATABASE_URL: '' })).toContain('DATABASE_URL is required');
    expect(loadConfig(sections, { ...valid, PORT: '' }).http.port).toBe(8081);
  });

  it('reports every bad variable in one line', () => {
    const message = errorOf({ PORT: 'x' });
    expect(message).toContain('PORT="x"');
    expect(message).toContain('DATABASE_URL is required');
    expect(message).not.toContain('\n');
  });
});
