import { describe, expect, it } from '@jest/globals';
import { LogCursor } from './log-cursor.js';

const t = (ms: string) => `2026-11-26T10:00:${ms}Z`;

/** Feeds times through the cursor, answering those it lets through. */
const feed = (cursor: LogCursor, times: string[]) => times.filter((time) => cursor.accept(time));

describe('LogCursor', () => {
  it('lets every line through the first time, same timestamps included', () => {
    const cursor = new LogCursor();
    expect(feed(cursor, [t('01.5'), t('01.5'), t('02.000000001')])).toHaveLength(3);
    expect(cursor.resumeFrom()).toBe('2026-11-26T10:00:02Z');
  });

  it('resumes after a cut with nothing repeated and nothing lost, telling equal timestamps apart by position', () => {
    const cursor = new LogCursor();
    // Delivered before the cut: two of the three lines written in the same millisecond.
    feed(cursor, [t('00.9'), t('01.123'), t('01.123')]);
    cursor.rewind();
    // The resumed stream starts at the second of the last line and replays what was already delivered.
    const replay = [t('01.000'), t('01.123'), t('01.123'), t('01.123'), t('01.2')];
    expect(feed(cursor, replay)).toEqual([t('01.123'), t('01.2')]);
  });

  it('compares trimmed and full nanosecond fractions as the same instant', () => {
    const cursor = new LogCursor();
    feed(cursor, [t('01.5')]);
    cursor.rewind();
    expect(feed(cursor, [t('01.500000000'), t('01.500000001')])).toEqual([t('01.500000001')]);
  });

  it('reads a restarted container’s lines from the last time on, even those sharing the last timestamp', () => {
    const cursor = new LogCursor();
    feed(cursor, [t('04.9'), t('05.1')]);
    cursor.newRun();
    cursor.rewind();
    expect(feed(cursor, [t('05.1'), t('05.2')])).toEqual([t('05.1'), t('05.2')]);
    expect(cursor.resumeFrom()).toBe('2026-11-26T10:00:05Z');
  });

  it('forgets everything when another pod starts', () => {
    const cursor = new LogCursor();
    feed(cursor, [t('05')]);
    cursor.reset();
    expect(cursor.resumeFrom()).toBeUndefined();
    expect(feed(cursor, [t('01')])).toEqual([t('01')]);
  });
});
