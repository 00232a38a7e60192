import { describe, expect, it } from '@jest/globals';
import {
  epochMillis,
  LineSplitter,
  MAX_LINE_CHARS,
  parseTimedLine,
  timeKey,
  toIsoMillis,
  wholeSecond,
} from './log-lines.js';

describe('kubelet log lines', () => {
  it('splits chunks into whole lines, keeping a partial one for the next chunk', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\nb')).toEqual(['a']);
    expect(splitter.push('c\n\nd')).toEqual(['bc', '']);
    expect(splitter.push('x'.repeat(MAX_LINE_CHARS + 1))).toEqual([`d${'x'.repeat(MAX_LINE_CHARS + 1)}`]);
  });

  it('reads the timestamp and the text, and refuses a line without one', () => {
    expect(parseTimedLine('2026-11-26T10:00:00.123456789Z [Server thread/INFO]: Done')).toEqual({
      time: '2026-11-26T10:00:00.123456789Z',
      text: '[Server thread/INFO]: Done',
    });
    expect(parseTimedLine('2026-11-26T10:00:00Z ')).toEqual({ time: '2026-11-26T10:00:00Z', text: '' });
    expect(parseTimedLine('no timestamp here')).toBeUndefined();
    expect(parseTimedLine(`2026-11-26T10:00:00Z ${'y'.repeat(MAX_LINE_CHARS + 5)}`)?.text).toHaveLength(
      MAX_LINE_CHARS + 1,
    );
  });

  it('orders, rounds and truncates times the way the kubelet writes them', () => {
    expect(timeKey('2026-11-26T10:00:00.5Z') > timeKey('2026-11-26T10:00:00.499999999Z')).toBe(true);
    expect(timeKey('2026-11-26T10:00:01Z')).toBe(timeKey('2026-11-26T10:00:01.000000000Z'));
    expect(toIsoMillis('2026-11-26T10:00:00.123456789Z')).toBe('2026-11-26T10:00:00.123Z');
    expect(toIsoMillis('2026-11-26T10:00:00Z')).toBe('2026-11-26T10:00:00.000Z');
    expect(wholeSecond('2026-11-26T10:00:07.9Z')).toBe('2026-11-26T10:00:07Z');
  });

  it('reads a time as milliseconds since the epoch, as Date.parse reads it to the millisecond', () => {
    const times = [
      '2026-11-26T10:00:00Z',
      '2026-11-26T10:00:00.5Z',
      '2026-11-26T10:00:00.12Z',
      '2026-11-26T10:00:00.123Z',
      '2026-11-26T10:00:00.999999999Z',
      '2028-02-29T23:59:59.0001Z',
      '1999-12-31T00:00:00.000000001Z',
    ];
    for (const time of times) expect(epochMillis(time)).toBe(Date.parse(toIsoMillis(time)));
  });
});
