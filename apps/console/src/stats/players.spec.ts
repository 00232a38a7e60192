import { describe, expect, it } from '@jest/globals';
import { parsePlayerList } from './players.js';

describe('parsePlayerList', () => {
  it('reads the current and the old answer to list', () => {
    expect(parsePlayerList('There are 2 of a max of 20 players online: alice, bob')).toEqual({
      online: 2,
      max: 20,
      names: ['alice', 'bob'],
    });
    expect(parsePlayerList('There are 0 of a max of 20 players online: ')).toEqual({ online: 0, max: 20, names: [] });
    expect(parsePlayerList('There are 1/10 players online:\nsteve')).toEqual({ online: 1, max: 10, names: ['steve'] });
    expect(parsePlayerList('Unknown command')).toBeUndefined();
  });
});
