/** Exponential back-off with full jitter, capped. */
export function backoffMs(attempt: number, { baseMs = 100, maxMs = 5_000, random = Math.random } = {}): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}
