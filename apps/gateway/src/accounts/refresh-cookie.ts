import type { Request, Response } from 'express';
import { parse } from 'cookie';
import { DomainError, type Session } from '@blockplane/contracts';
import type { OriginPolicy } from '../http/origin-policy.js';

/** `__Host-`: the browser only accepts it Secure, from this host, for the whole path. */
export const REFRESH_COOKIE = '__Host-blockplane_refresh';

/** A session as answered over HTTP: browsers get the refresh token only as a cookie. */
export type SessionAnswer = Session | Omit<Session, 'refreshToken'>;

/** Requests from a page carry `Origin`; API clients do not. */
const isBrowser = (req: Request): boolean => req.headers.origin !== undefined;

export function deliverSession(session: Session, req: Request, res: Response): SessionAnswer {
  if (!isBrowser(req)) return session;
  const { refreshToken, ...rest } = session;
  res.cookie(REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    maxAge: Math.max(0, Date.parse(session.refreshExpiresAt) - Date.now()),
  });
  return rest;
}

/**
 * The cookie when the browser sent one, else the body's. The cookie is the only credential a browser sends on
 * its own, so it counts only on requests from the panel's own pages (CSRF): anything else is refused.
 */
export function presentedRefreshToken(
  req: Request,
  bodyToken: string | undefined,
  origins: OriginPolicy,
): string | undefined {
  const cookie = parse(req.headers.cookie ?? '')[REFRESH_COOKIE];
  if (cookie === undefined) return bodyToken;
  if (!origins.vouchesFor(req.headers)) {
    throw new DomainError('FORBIDDEN', 'the refresh cookie is accepted only from the panel origins');
  }
  return cookie;
}

export function clearRefreshCookie(res: Response): void {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
}
