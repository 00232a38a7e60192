import { describe, expect, it } from '@jest/globals';
import type { ConsoleLine } from '@blockplane/contracts';
import { OutputWindow } from './output-window.js';

const line = (seq: number, kind: ConsoleLine['kind'], text = `line ${seq}`): ConsoleLine => ({
  seq,
  time: '2026-11-26T10:00:00.000Z',
  kind,
  text,
});

describe('OutputWindow', () => {
  it('is judged by acknowledgements only once the client sent one', () => {
    const window = new OutputWindow();
    window.sending(0, 100);
    expect(window.acknowledging).toBe(false);
    window.acknowledged(1, 5);
    expect(window.acknowledging).toBe(true);
  });

  it('measures the wait of the oldest unacknowledged output beyond the connection’s own round trip', () => {
    const window = new OutputWindow();
    // The replay, sent alone, acknowledged 40 ms later: the round trip of this connection.
    window.sending(0, 100);
    window.acknowledged(1, 40);
    expect(window.lagMs(100)).toBe(0);
    window.sending(100, 100);
    window.sending(150, 100);
    window.sending(200, 100);
    expect(window.lagMs(150)).toBe(10);
    expect(window.lagMs(300)).toBe(160);
    // Two of the three handled: the third is the oldest now.
    window.acknowledged(3, 310);
    expect(window.lagMs(310)).toBe(70);
    window.acknowledged(4, 320);
    expect(window.lagMs(400)).toBe(0);
  });

  it('takes no round trip from output that waited behind other output, and ignores acknowledgements of more than was sent', () => {
    const window = new OutputWindow();
    window.sending(0, 100);
    window.acknowledged(1, 2);
    window.sending(10, 100);
    window.sending(20, 100);
    // The second waited behind the first: its 500 ms are queueing, not the connection's delay.
    window.acknowledged(99, 520);
    window.sending(600, 100);
    expect(window.lagMs(700)).toBe(98);
    // Already acknowledged: changes nothing.
    window.acknowledged(2, 700);
    expect(window.lagMs(700)).toBe(98);
  });

  it('keeps the send times of at most 1,000 unacknowledged events', () => {
    const window = new OutputWindow();
    for (let at = 0; at < 1_500; at++) window.sending(at, 100);
    // The first 500 were let go: the oldest kept was sent at 500.
    window.acknowledged(1, 2_000);
    expect(window.lagMs(2_000)).toBe(1_500);
    window.acknowledged(1_499, 2_000);
    expect(window.lagMs(2_000)).toBe(501);
  });

  it('is behind only when late with enough unread output to shed', () => {
    const window = new OutputWindow();
    window.sending(0, 0);
    window.acknowledged(1, 0);
    // Late, but one small frame: skipping it would make nothing sooner.
    window.sending(10, 150);
    expect(window.behind(500, 100)).toBe(false);
    window.sending(20, 50);
    expect(window.behind(500, 100)).toBe(true);
    expect(window.behind(100, 100)).toBe(false);
  });

  it('is behind with more than 2,000 unread lines, however recent: a flood reaches it as fast as it reads', () => {
    const window = new OutputWindow();
    window.sending(0, 0);
    window.acknowledged(1, 0);
    window.sending(10, 1_000);
    window.sending(20, 1_000);
    expect(window.behind(20, 1_000)).toBe(false);
    window.sending(30, 1);
    expect(window.behind(30, 1_000)).toBe(true);
    window.acknowledged(2, 40);
    expect(window.behind(40, 1_000)).toBe(false);
  });

  it('keeps the notices and markers a viewer was not sent, counts its output lines, and owes nothing once told', () => {
    const window = new OutputWindow();
    expect(window.owes).toBe(false);
    const restart = line(3, 'marker', '── the server’s container restarted ──');
    const flood = line(7, 'notice', '── 500 lines not shown: the server printed more than 2000 lines in 100 ms ──');
    window.skip(5, [restart]);
    window.skip(4, [flood]);
    expect(window.owes).toBe(true);
    const owed = window.owed(9);
    expect(owed.slice(0, 2)).toEqual([restart, flood]);
    expect(owed[2]).toMatchObject({
      seq: 9,
      kind: 'notice',
      text: '── 7 lines not shown: this connection could not keep up ──',
    });
    expect(owed).toHaveLength(3);
    expect(window.owes).toBe(false);
    expect(window.owed(10)).toEqual([]);
  });

  it('tells a viewer only of the notices it missed when no output line was skipped', () => {
    const window = new OutputWindow();
    const flood = line(1, 'notice');
    window.skip(1, [flood]);
    expect(window.owed(2)).toEqual([flood]);
  });

  it('keeps the last 20 notices and markers, counting older ones as missed lines', () => {
    const window = new OutputWindow();
    const notices = Array.from({ length: 25 }, (_, i) => line(i, 'notice'));
    window.skip(25, notices);
    const owed = window.owed(25);
    expect(owed.slice(0, 20)).toEqual(notices.slice(5));
    expect(owed[20]?.text).toBe('── 5 lines not shown: this connection could not keep up ──');
  });
});
