import type { Store } from './store.js';
import type { StoreEvent } from './types.js';

/**
 * A bounded window of recent store events, so that a watch can resume from a resourceVersion,
 * and a 410 Expired once that resourceVersion has fallen out of the window (as etcd compaction does).
 */
export class WatchCache {
  private readonly ring: (StoreEvent | undefined)[];
  private start = 0;
  private size = 0;
  /** Every event at or below this resourceVersion has been evicted (or happened before the cache began). */
  private evictedThrough: number;
  private readonly listeners = new Set<(ev: StoreEvent) => void>();
  private readonly unsubscribe: () => void;

  constructor(store: Store, capacity: number) {
    this.ring = new Array(Math.max(1, capacity));
    this.evictedThrough = Number(store.resourceVersion);
    this.unsubscribe = store.subscribe((ev) => this.record(ev));
  }

  /** Events after `rv`, oldest first, or 'expired' when some of them are no longer kept. */
  since(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.evictedThrough) return 'expired';
    const out: StoreEvent[] = [];
    for (let i = 0; i < this.size; i++) {
      const ev = this.ring[(this.start + i) % this.ring.length];
      if (ev && rvOf(ev) > rv) out.push(ev);
    }
    return out;
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestResumable(): number {
    return this.evictedThrough;
  }

  subscribe(listener: (ev: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private record(ev: StoreEvent): void {
    const oldest = this.ring[this.start];
    if (this.size === this.ring.length && oldest) {
      this.evictedThrough = rvOf(oldest);
      this.start = (this.start + 1) % this.ring.length;
      this.size--;
    }
    this.ring[(this.start + this.size) % this.ring.length] = ev;
    this.size++;
    for (const listener of [...this.listeners]) listener(ev);
  }
}

export function rvOf(ev: StoreEvent): number {
  return Number(ev.object.metadata.resourceVersion);
}
