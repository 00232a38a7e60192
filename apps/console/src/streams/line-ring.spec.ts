import { describe, expect, it } from '@jest/globals';
import type { ConsoleLine } from '@blockplane/contracts';
import { LineRing } from './line-ring.js';

const line = (seq: number): ConsoleLine => ({ seq, time: '2026-11-26T10:00:00.000Z', kind: 'output', text: `${seq}` });
const seqs = (lines: ConsoleLine[] | undefined) => lines?.map((l) => l.seq);

describe('LineRing', () => {
  it('keeps the last lines in order as it wraps', () => {
    const ring = new LineRing(3);
    for (let seq = 0; seq < 7; seq++) ring.push(line(seq));
    expect(seqs(ring.last(10))).toEqual([4, 5, 6]);
    expect(seqs(ring.last(2))).toEqual([5, 6]);
    expect(ring.last(0)).toEqual([]);
  });

  it('answers the lines after a position, or undefined once some are gone', () => {
    const ring = new LineRing(3);
    expect(ring.after(5)).toEqual([]);
    for (let seq = 0; seq < 5; seq++) ring.push(line(seq));
    expect(seqs(ring.after(2))).toEqual([3, 4]);
    expect(seqs(ring.after(1))).toEqual([2, 3, 4]);
    expect(seqs(ring.after(4))).toEqual([]);
    expect(ring.after(0)).toBeUndefined();
  });
});
