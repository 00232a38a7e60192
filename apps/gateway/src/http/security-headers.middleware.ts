import type { RequestHandler } from 'express';

/** The gateway answers JSON to programs: nothing of it may be framed, sniffed, referred or run as a page. */
const securityHeaders = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Set first, so every answer carries them, errors from the body parser included. */
export const securityHeadersMiddleware: RequestHandler = (_req, res, next) => {
  res.set(securityHeaders);
  next();
};
