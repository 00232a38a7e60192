import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DomainError } from '@blockplane/contracts';
import { decodeCursor, encodeCursor } from './page-cursor.js';

describe('page cursor', () => {
  it('round-trips a position to the millisecond', () => {
    const position = { at: new Date('2026-11-26T05:35:50.123Z'), id: randomUUID() };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    ['garbage', 'not a cursor'],
    ['no id', Buffer.from('1764135350123').toString('base64url')],
    ['a bad id', Buffer.from('1764135350123.42').toString('base64url')],
    ['a bad time', Buffer.from(`soon.${randomUUID()}`).toString('base64url')],
    ['extra parts', Buffer.from(`1.${randomUUID()}.x`).toString('base64url')],
  ])('refuses %s with VALIDATION_FAILED', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(DomainError);
    expect(() => decodeCursor(cursor)).toThrow('cursor is malformed');
  });
});
