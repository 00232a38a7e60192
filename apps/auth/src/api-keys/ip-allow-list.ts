import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

/**
 * Whether `source` is one of `entries` (addresses or CIDR blocks, IPv4 or IPv6); an empty list
 * allows any source. BlockList also matches IPv4-mapped IPv6 sources (`::ffff:1.2.3.4`) to IPv4 rules.
 */
export function allowsSource(entries: readonly string[], source: string): boolean {
  if (entries.length === 0) return true;
  const family = familyOf(source);
  if (!family) return false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const type = familyOf(address);
    if (!type) continue;
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list.check(source, family);
}

function familyOf(address: string): Family | undefined {
  switch (isIP(address)) {
    case 4:
      return 'ipv4';
    case 6:
      return 'ipv6';
    default:
      return undefined;
  }
}
