// Bounded per-container output, kept line by line with the time the line was written,
// like the kubelet's CRI log files. Followers are notified of new lines and of the end.
export interface LogLine {
  time: number; // epoch ms: a number rather than a Date, one allocation less per line
  text: string; // without the trailing newline
}

export type LogListener = (line: LogLine | null) => void; // null: the container stopped

const defaultMaxBytes = 2 * 1024 * 1024;

export class LogBuffer {
  private readonly entries: LogLine[] = [];
  /** Entries before this index are dropped: `shift()` on a full buffer (~45,000 lines) is O(n) per line. */
  private head = 0;
  private bytes = 0;
  private readonly listeners = new Set<LogListener>();
  private ended = false;

  constructor(private readonly maxBytes = defaultMaxBytes) {}

  get closed(): boolean {
    return this.ended;
  }

  append(text: string, time = Date.now()): void {
    if (this.ended) return;
    const line = { time, text };
    this.entries.push(line);
    this.bytes += Buffer.byteLength(text) + 1;
    while (this.bytes > this.maxBytes && this.entries.length - this.head > 1) this.dropOldest();
    for (const listener of this.listeners) listener(line);
  }

  private dropOldest(): void {
    const oldest = this.entries[this.head];
    this.head += 1;
    if (oldest) this.bytes -= Buffer.byteLength(oldest.text) + 1;
    // Compacted once half is dropped: amortised O(1) per line.
    if (this.head * 2 >= this.entries.length) this.compact();
  }

  private compact(): void {
    this.entries.splice(0, this.head);
    this.head = 0;
  }

  lines(): readonly LogLine[] {
    this.compact();
    return this.entries;
  }

  /** Listens for new lines; called with null once when the container stops. */
  follow(listener: LogListener): () => void {
    if (this.ended) {
      listener(null);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    for (const listener of this.listeners) listener(null);
    this.listeners.clear();
  }
}

// Lines come in bursts (a tick of output, many containers printing at once), so most share the
// millisecond of the line before and its stamp is reused instead of formatted again.
let stampedAt = NaN;
let stamp = '';

/** RFC 3339 with nanoseconds (always 9 digits), as the kubelet prints with `timestamps=true`. */
export function formatLogTimestamp(time: number): string {
  if (time !== stampedAt) {
    stampedAt = time;
    stamp = `${new Date(time).toISOString().slice(0, -1)}000000Z`;
  }
  return stamp;
}
