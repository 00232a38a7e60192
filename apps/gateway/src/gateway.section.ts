import { isIP } from 'node:net';
import { z } from 'zod';

/** Names Express knows for address ranges, besides addresses and CIDR subnets. */
const namedRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isAddressOrSubnet = (entry: string): boolean => {
  if (namedRanges.has(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
};

/**
 * Which proxies may set X-Forwarded-For (the caller's address feeds auth's rate limits):
 * unset/`false` trusts none, `true` every hop, a number that many hops, or a list of addresses/subnets.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx): boolean | number | string[] => {
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    if (entries.every(isAddressOrSubnet)) return entries;
    ctx.addIssue({
      code: 'custom',
      message: 'expected true, false, a number of hops or a comma-separated list of addresses/subnets',
    });
    return z.NEVER;
  });

/** `https://panel.example.com` exactly: a scheme, a host and maybe a port; no path, no trailing slash. */
const isOrigin = (entry: string): boolean => {
  if (!URL.canParse(entry)) return false;
  const url = new URL(entry);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry;
};

/**
 * The browser origins that may call the API (CORS with credentials) and present the refresh cookie:
 * a comma-separated list, none by default. A panel served from the gateway's own origin lists it too.
 */
const corsOrigins = z
  .string()
  .optional()
  .transform((value, ctx): string[] => {
    const entries = (value ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const bad = entries.find((entry) => !isOrigin(entry));
    if (bad === undefined) return entries;
    ctx.addIssue({ code: 'custom', message: `expected origins like https://panel.example.com, got ${bad}` });
    return z.NEVER;
  });

export const gatewaySection = z
  .object({ TRUST_PROXY: trustProxy, CORS_ORIGINS: corsOrigins })
  .transform((e) => ({ trustProxy: e.TRUST_PROXY, corsOrigins: e.CORS_ORIGINS }));
export type GatewayConfig = z.output<typeof gatewaySection>;
