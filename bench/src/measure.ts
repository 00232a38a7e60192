// Small measuring helpers shared by the benchmarks.
import { readFileSync } from 'node:fs';

/** The number after `flag` on the command line, or `fallback` when the flag is absent. */
export function parsePositive(argv: string[], flag: string, fallback: number): number {
  const at = argv.indexOf(flag);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!(value > 0)) throw new Error(`${flag} needs a positive number, got ${argv[at + 1]}`);
  return value;
}

export function parseCount(argv: string[], fallback: number): number {
  const value = parsePositive(argv, '--count', fallback);
  if (!Number.isInteger(value)) throw new Error(`--count needs an integer, got ${value}`);
  return value;
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Resident set size after a full collection when node runs with --expose-gc. */
export function settledRss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

/** Runs task for every item with at most `limit` in flight. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await task(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The address of the n-th emulated server: 127.1.1.1, 127.1.1.2, … (no .0 or .255 octets). */
export function loopbackHost(n: number): string {
  return `127.${1 + Math.floor(n / 254 / 254)}.${1 + (Math.floor(n / 254) % 254)}.${1 + (n % 254)}`;
}

export interface Result {
  name: string;
  value: number;
  unit: string;
  target?: { max: number };
}

export function report(results: Result[]): boolean {
  let ok = true;
  for (const r of results) {
    const verdict =
      r.target === undefined
        ? ''
        : r.value <= r.target.max
          ? `  ok (target ≤ ${r.target.max} ${r.unit})`
          : `  MISSED (target ≤ ${r.target.max} ${r.unit})`;
    if (r.target !== undefined && r.value > r.target.max) ok = false;
    console.log(`${r.name.padEnd(50)} ${r.value.toFixed(r.value < 10 ? 2 : 0).padStart(10)} ${r.unit}${verdict}`);
  }
  return ok;
}

/**
 * Command round trips measured in pairs (through the panel, then straight to the server, at the same moment's
 * load): both legs' p50/p99 and the panel's share of each pair, against the issue's 15 ms p99.
 */
export function roundTripFigures(panel: string, viaPanel: number[], server: number[]): Result[] {
  const share = viaPanel.map((total, i) => total - (server[i] ?? 0));
  return [
    { name: `${panel}: p50`, value: percentile(viaPanel, 50), unit: 'ms' },
    { name: `${panel}: p99`, value: percentile(viaPanel, 99), unit: 'ms' },
    { name: 'the server alone (bare RCON session): p50', value: percentile(server, 50), unit: 'ms' },
    { name: 'the server alone (bare RCON session): p99', value: percentile(server, 99), unit: 'ms' },
    { name: "the panel's share (pair by pair): p50", value: percentile(share, 50), unit: 'ms' },
    { name: "the panel's share (pair by pair): p99", value: percentile(share, 99), unit: 'ms', target: { max: 15 } },
  ];
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these. */
const CLOCK_TICKS_PER_S = 100;

/** CPU seconds (user + system) a process has used. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/**
 * Scrapes a service's `/metrics` (a scrape also resets its event-loop delay histogram) and answers a reader: the
 * value of the first sample of `name` whose labels hold `label`, NaN when there is none.
 */
export async function scrapeMetrics(serviceUrl: string): Promise<(name: string, label?: string) => number> {
  const samples = (await (await fetch(`${serviceUrl}/metrics`)).text()).split('\n');
  return (name, label = '') => {
    const sample = samples.find((line) => line.startsWith(`${name}{`) && line.includes(label));
    return Number(sample?.split(' ').pop() ?? Number.NaN);
  };
}
