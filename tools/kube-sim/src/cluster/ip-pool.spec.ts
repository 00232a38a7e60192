import { describe, expect, it } from '@jest/globals';
import { IpPool } from './ip-pool.js';

describe('IpPool', () => {
  it('hands out distinct addresses and reuses released ones', () => {
    const pool = new IpPool('127.10');
    const first = pool.allocate();
    const second = pool.allocate();
    expect(first).toBe('127.10.0.1');
    expect(second).toBe('127.10.0.2');
    pool.release(first);
    expect(pool.inUse(first)).toBe(false);
    expect(pool.allocate()).toBe(first);
  });

  it('spans more than 256 addresses', () => {
    const pool = new IpPool('127.96');
    const ips = new Set(Array.from({ length: 300 }, () => pool.allocate()));
    expect(ips.size).toBe(300);
    expect(ips.has('127.96.1.0')).toBe(true);
  });
});
