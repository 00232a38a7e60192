import type { Request } from 'express';

/** The caller's address as Express resolves it behind trusted proxies (`TRUST_PROXY`): rate limits and the activity log use it. */
export const sourceOf = (req: Request): string => (req.ip ?? req.socket.remoteAddress ?? 'unknown').slice(0, 64);
