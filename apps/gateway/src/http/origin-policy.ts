import type { IncomingHttpHeaders } from 'node:http';

/** Which browser pages the gateway answers to: the origins of `CORS_ORIGINS`, nothing else. */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.allowed = new Set(origins);
  }

  allows(origin: string): boolean {
    return this.allowed.has(origin);
  }

  /**
   * Whether a request that carries a cookie comes from one of the panel's own pages: browsers send `Origin`
   * on every cross-origin and state-changing request, and `Sec-Fetch-Site` on the rest.
   */
  vouchesFor(headers: IncomingHttpHeaders): boolean {
    const origin = headers.origin;
    if (origin !== undefined) return this.allows(origin);
    return headers['sec-fetch-site'] === 'same-origin';
  }
}
