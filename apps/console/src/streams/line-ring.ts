import type { ConsoleLine } from '@blockplane/contracts';

/** The last `capacity` lines of a stream, whose seq numbers follow one another. */
export class LineRing {
  private readonly lines: ConsoleLine[] = [];
  private start = 0;

  constructor(private readonly capacity: number) {}

  push(line: ConsoleLine): void {
    if (this.lines.length < this.capacity) this.lines.push(line);
    else {
      this.lines[this.start] = line;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** The last `count` lines, oldest first. */
  last(count: number): ConsoleLine[] {
    const ordered = [...this.lines.slice(this.start), ...this.lines.slice(0, this.start)];
    return count <= 0 ? [] : ordered.slice(-count);
  }

  /** The lines after `seq`, or undefined when some of them are no longer held. */
  after(seq: number): ConsoleLine[] | undefined {
    const all = this.last(this.capacity);
    const first = all[0];
    if (!first) return [];
    if (seq + 1 < first.seq) return undefined;
    return all.slice(Math.max(0, seq + 1 - first.seq));
  }
}
