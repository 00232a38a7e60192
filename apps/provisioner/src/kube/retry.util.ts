/** Statuses worth retrying: conflicts (re-fetch and try again), throttling and server errors. */
export function isRetryable(status: number | undefined): boolean {
  return status === 409 || status === 429 || (status !== undefined && status >= 500);
}

/** Exponential back-off with full jitter, capped; a Retry-After (seconds) from the server wins when longer. */
export function backoffMs(
  attempt: number,
  retryAfter: string | undefined,
  { baseMs = 100, maxMs = 5_000, random = Math.random } = {},
): number {
  const jittered = Math.round(random() * Math.min(maxMs, baseMs * 2 ** attempt));
  const seconds = retryAfter === undefined ? NaN : Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.max(jittered, seconds * 1000) : jittered;
}
