import { describe, expect, it } from '@jest/globals';
import { runInNewContext } from 'node:vm';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first value the probe gives', async () => {
    let calls = 0;
    await expect(waitFor('the third call', () => ++calls === 3 && calls, { intervalMs: 1 })).resolves.toBe(3);
  });

  it('names the last error at the deadline, also one from another realm', async () => {
    const elsewhere = runInNewContext('new Error("connect ECONNREFUSED 127.200.0.1:25565")') as unknown;
    expect(elsewhere instanceof Error).toBe(false);
    const probe = () => {
      throw elsewhere;
    };
    await expect(waitFor('a ping', probe, { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      'timed out after 20 ms waiting for a ping (last error: connect ECONNREFUSED 127.200.0.1:25565)',
    );
  });
});
