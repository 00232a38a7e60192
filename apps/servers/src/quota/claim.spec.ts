import { describe, expect, it } from '@jest/globals';
import { claimOf, noClaim } from './claim.js';

const server = { cpuCores: 2, memoryMb: 4096, diskGb: 20 };

describe('what a server claims', () => {
  it('holds its slot and disk until deleted or gone, CPU and memory only while meant to run', () => {
    expect(claimOf({ ...server, desiredState: 'running', status: 'starting' })).toEqual({ servers: 1, ...server });
    expect(claimOf({ ...server, desiredState: 'stopped', status: 'stopped' })).toEqual({
      servers: 1,
      cpuCores: 0,
      memoryMb: 0,
      diskGb: 20,
    });
    expect(claimOf({ ...server, desiredState: 'deleted', status: 'deleting' })).toEqual(noClaim);
    expect(claimOf({ ...server, desiredState: 'running', status: 'deleted' })).toEqual(noClaim);
  });
});
