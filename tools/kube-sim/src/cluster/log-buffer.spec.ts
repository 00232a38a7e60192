import { describe, expect, it } from '@jest/globals';
import { formatLogTimestamp, LogBuffer, type LogLine } from './log-buffer.js';

describe('LogBuffer', () => {
  it('drops the oldest lines beyond its byte bound', () => {
    const buffer = new LogBuffer(20);
    for (const text of ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee']) buffer.append(text);
    expect(buffer.lines().map((l) => l.text)).toEqual(['bbbb', 'cccc', 'dddd', 'eeee']);
  });

  it('keeps the newest lines in order through many drops', () => {
    const buffer = new LogBuffer(50);
    for (let n = 0; n < 1_000; n++) buffer.append(String(n).padStart(4, '0'));
    expect(buffer.lines().map((l) => l.text)).toEqual([
      '0990',
      '0991',
      '0992',
      '0993',
      '0994',
      '0995',
      '0996',
      '0997',
      '0998',
      '0999',
    ]);
    buffer.append('next');
    expect(buffer.lines().map((l) => l.text)).toEqual([
      '0991',
      '0992',
      '0993',
      '0994',
      '0995',
      '0996',
      '0997',
      '0998',
      '0999',
      'next',
    ]);
  });

  it('tells followers about new lines and the end', () => {
    const buffer = new LogBuffer();
    const seen: Array<LogLine | null> = [];
    buffer.follow((line) => seen.push(line));
    buffer.append('one');
    buffer.close();
    buffer.append('ignored');
    expect(seen.map((l) => l?.text ?? null)).toEqual(['one', null]);
    const late: Array<LogLine | null> = [];
    buffer.follow((line) => late.push(line));
    expect(late).toEqual([null]);
  });

  it('prints nanosecond timestamps like the kubelet', () => {
    expect(formatLogTimestamp(Date.parse('2026-11-26T04:25:01.123Z'))).toBe('2026-11-26T04:25:01.123000000Z');
  });

  it('stamps each millisecond anew, whichever came before', () => {
    const stamps = ['04:25:01.123', '04:25:01.123', '04:25:01.124', '04:25:02.000', '04:25:01.999'].map((time) =>
      formatLogTimestamp(Date.parse(`2026-11-26T${time}Z`)),
    );
    expect(stamps).toEqual([
      '2026-11-26T04:25:01.123000000Z',
      '2026-11-26T04:25:01.123000000Z',
      '2026-11-26T04:25:01.124000000Z',
      '2026-11-26T04:25:02.000000000Z',
      '2026-11-26T04:25:01.999000000Z',
    ]);
  });
});
