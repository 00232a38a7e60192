// The kubelet's `timestamps=true` log format: "<RFC 3339 time in UTC> <text>\n" per line.

/** Longer lines are cut here (with an ellipsis): one frame stays small whatever a server prints. */
export const MAX_LINE_CHARS = 8_192;

export interface TimedLine {
  /** As the kubelet wrote it, e.g. `2026-11-26T10:00:00.123456789Z`. */
  time: string;
  text: string;
}

/** Splits a byte stream's text into whole lines; a line that never ends is cut at MAX_LINE_CHARS. */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    if (this.rest.length > MAX_LINE_CHARS) {
      parts.push(this.rest);
      this.rest = '';
    }
    return parts;
  }
}

export function parseTimedLine(raw: string): TimedLine | undefined {
  const space = raw.indexOf(' ');
  const time = space < 0 ? raw : raw.slice(0, space);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(time)) return undefined;
  const text = space < 0 ? '' : raw.slice(space + 1).replace(/\r$/, '');
  return { time, text: text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text };
}

/** A key that sorts as the times do: the fraction padded to nanoseconds (the kubelet trims trailing zeros). */
export function timeKey(time: string): string {
  const dot = time.indexOf('.');
  if (dot < 0) return `${time.slice(0, -1)}.000000000`;
  return `${time.slice(0, dot)}.${time.slice(dot + 1, -1).padEnd(9, '0')}`;
}

/** The same time to the millisecond, as clients read it. */
export function toIsoMillis(time: string): string {
  const dot = time.indexOf('.');
  const base = dot < 0 ? time.slice(0, -1) : time.slice(0, dot);
  const fraction = dot < 0 ? '' : time.slice(dot + 1, -1);
  return `${base}.${fraction.slice(0, 3).padEnd(3, '0')}Z`;
}

/** The whole second a time falls in: a real kubelet compares `sinceTime` at that resolution. */
export function wholeSecond(time: string): string {
  return `${time.slice(0, 19)}Z`;
}
