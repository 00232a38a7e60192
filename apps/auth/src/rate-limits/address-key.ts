import { isIP } from 'node:net';

/**
 * What a per-address limit counts by. One IPv6 subscriber gets a whole /64, so IPv6 addresses
 * count by their /64 (otherwise every attempt could come from a new address); IPv4 and
 * IPv4-mapped IPv6 addresses count by the IPv4 address. Anything else counts as given.
 */
export function addressKey(source: string): string {
  if (isIP(source) !== 6) return source;
  const hextets = expandIpv6(source.toLowerCase());
  if (hextets.slice(0, 6).join(':') === '0:0:0:0:0:ffff') return hextetsToIpv4(hextets.slice(6));
  return `${hextets.slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of a valid IPv6 address, without leading zeros (a dotted IPv4 tail counts as two). */
function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const parts = (text: string) => (text === '' ? [] : text.split(':').flatMap(dottedToHextets));
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...zeros, ...right].map((hextet) => hextet.replace(/^0+(?=.)/, ''));
}

function hextetsToIpv4(hextets: string[]): string {
  return hextets
    .map((hextet) => parseInt(hextet, 16))
    .flatMap((value) => [value >> 8, value & 0xff])
    .join('.');
}

function dottedToHextets(part: string): string[] {
  if (!part.includes('.')) return [part];
  const [a = 0, b = 0, c = 0, d = 0] = part.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
