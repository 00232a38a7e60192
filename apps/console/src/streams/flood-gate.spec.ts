import { describe, expect, it } from '@jest/globals';
import { FloodGate } from './flood-gate.js';

describe('FloodGate', () => {
  it('admits the limit per window of line time, counts the rest, and opens again in the next window', () => {
    const gate = new FloodGate(3, 100);
    expect([0, 1, 2, 3, 50].map((at) => gate.admit(at))).toEqual([true, true, true, false, false]);
    expect(gate.admit(60)).toBe(false);
    expect(gate.remainingMs(60)).toBe(40);
    expect(gate.takeDropped()).toBe(3);
    expect(gate.takeDropped()).toBe(0);
    expect(gate.admit(100)).toBe(true);
    // A clock that went back starts a window of its own rather than waiting for the old one to end.
    expect(gate.admit(40)).toBe(true);
  });
});
