import { describe, expect, it } from '@jest/globals';
import { FloodGate } from './flood-gate.js';

describe('FloodGate', () => {
  it('admits the limit per window of line time, counts the rest, and opens again in the next window', () => {
    const gate = new FloodGate(3, 100);
    expect([0, 1, 2, 3, 50].map((at) => gate.admit(at))).toEqual([true, true, true, false, false]);
    expect(gate.admit(60)).toBe(false);
    expect(gate.tellInMs(60, 5_000)).toBe(40);
    expect(gate.takeDropped(5_000)).toBe(3);
    expect(gate.takeDropped(5_001)).toBe(0);
    expect(gate.admit(100)).toBe(true);
    // A clock that went back starts a window of its own rather than waiting for the old one to end.
    expect(gate.admit(40)).toBe(true);
  });

  it('tells of dropped lines when their window ends, and at most once a second under a sustained flood', () => {
    const gate = new FloodGate(1, 100);
    gate.admit(0);
    gate.admit(10);
    expect(gate.tellInMs(10, 10)).toBe(90);
    gate.takeDropped(100);
    // The next window floods too: its end is 90 ms away, but the last telling was only 10 ms ago.
    gate.admit(110);
    gate.admit(120);
    expect(gate.tellInMs(120, 110)).toBe(990);
    expect(gate.tellInMs(120, 1_200)).toBe(90);
  });
});
