import { describe, expect, it } from '@jest/globals';
import { gatewaySection } from './gateway.section.js';

const trustProxy = (value?: string) => gatewaySection.safeParse({ TRUST_PROXY: value });
const corsOrigins = (value?: string) => gatewaySection.safeParse({ CORS_ORIGINS: value });

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.4,fd00::/8', ['10.0.0.0/8', '192.168.1.4', 'fd00::/8']],
  ])('reads %s as %j', (value, expected) => {
    expect(trustProxy(value)).toEqual({ success: true, data: { trustProxy: expected, corsOrigins: [] } });
  });

  it.each(['yes', '10.0.0.0/33', '10.0.0.1/8/1', 'example.com', 'loopback,'])('refuses %s', (value) => {
    const result = trustProxy(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['TRUST_PROXY']);
  });
});

describe('CORS_ORIGINS', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['https://panel.example.com', ['https://panel.example.com']],
    [' https://a.example.com , http://localhost:5173 ', ['https://a.example.com', 'http://localhost:5173']],
  ])('reads %j as %j', (value, expected) => {
    expect(corsOrigins(value)).toEqual({ success: true, data: { trustProxy: false, corsOrigins: expected } });
  });

  it.each(['*', 'panel.example.com', 'https://panel.example.com/', 'https://panel.example.com/app', 'ftp://x.example'])(
    'refuses %s',
    (value) => {
      const result = corsOrigins(value);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['CORS_ORIGINS']);
    },
  );
});
