import { ApiError } from '../api/api-error.js';

export interface FaultSettings {
  /** Added latency per API request: a fixed delay or a [min, max] range in milliseconds. */
  latencyMs: number | [number, number];
  /** Probability (0..1) of answering an API request with each error instead of serving it. */
  errorRates: { 500: number; 503: number; 429: number };
  /** Retry-After sent with injected 429s. */
  retryAfterSeconds: number;
  /** Probability (0..1) that a write (PUT/PATCH/POST/DELETE) gets a 409 Conflict. */
  conflictRate: number;
}

export type WatchCutter = (abrupt: boolean) => void;

export interface FaultDecision {
  delayMs: number;
  error?: ApiError;
  /** When true, the caller answers with a Conflict for the object it was about to write. */
  conflict: boolean;
}

const NONE: FaultSettings = {
  latencyMs: 0,
  errorRates: { 500: 0, 503: 0, 429: 0 },
  retryAfterSeconds: 1,
  conflictRate: 0,
};

/** Decides, per API request, which faults to inject; also cuts open watch streams on demand. */
export class FaultInjector {
  private current: FaultSettings = structuredClone(NONE);
  private readonly watches = new Set<WatchCutter>();

  constructor(private readonly random: () => number = Math.random) {}

  get settings(): FaultSettings {
    return structuredClone(this.current);
  }

  set(partial: Partial<FaultSettings>): FaultSettings {
    const errorRates = { ...this.current.errorRates, ...partial.errorRates };
    this.current = { ...this.current, ...partial, errorRates };
    return this.settings;
  }

  reset(): FaultSettings {
    this.current = structuredClone(NONE);
    return this.settings;
  }

  decide(isWrite: boolean): FaultDecision {
    const { latencyMs, errorRates, retryAfterSeconds, conflictRate } = this.current;
    const delayMs = Array.isArray(latencyMs) ? latencyMs[0] + this.random() * (latencyMs[1] - latencyMs[0]) : latencyMs;
    let roll = this.random();
    for (const code of [500, 503, 429] as const) {
      if (roll < errorRates[code]) return { delayMs, error: injectedError(code, retryAfterSeconds), conflict: false };
      roll -= errorRates[code];
    }
    return { delayMs, conflict: isWrite && conflictRate > 0 && this.random() < conflictRate };
  }

  /** How many watch streams are open right now. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Registers an open watch and how to cut it. Returns the unregister function. */
  trackWatch(cut: WatchCutter): () => void {
    this.watches.add(cut);
    return () => this.watches.delete(cut);
  }

  /**
   * Cuts every open watch stream; returns how many were cut. By default the stream ends the way
   * an apiserver restart ends it (clients resume from their last resourceVersion); `abrupt`
   * resets the connection instead, which client-node reports as an error to the informer.
   */
  cutWatches(opts: { abrupt?: boolean } = {}): number {
    const cuts = [...this.watches];
    this.watches.clear();
    for (const cut of cuts) cut(opts.abrupt ?? false);
    return cuts.length;
  }
}

function injectedError(code: 500 | 503 | 429, retryAfterSeconds: number): ApiError {
  switch (code) {
    case 500:
      return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault', {
        causes: [{ message: 'injected fault' }],
      });
    case 503:
      return new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
    case 429:
      return new ApiError(
        429,
        'TooManyRequests',
        'the server has received too many requests and has asked us to try again later',
        {
          retryAfterSeconds,
        },
      );
  }
}
