/** The most player names a stats frame carries. */
const MAX_NAMES = 100;

/**
 * Reads `list`: "There are 2 of a max of 20 players online: alice, bob" (1.13 on; Paper and Spigot
 * alike) or "There are 2/20 players online:" (older servers).
 */
export function parsePlayerList(reply: string): { online: number; max: number; names: string[] } | undefined {
  const match = /There are (\d+)(?: of a max(?: of)? |\/)(\d+) players online:?(.*)$/s.exec(reply);
  if (!match) return undefined;
  const names = (match[3] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  return { online: Number(match[1]), max: Number(match[2]), names: names.slice(0, MAX_NAMES) };
}
