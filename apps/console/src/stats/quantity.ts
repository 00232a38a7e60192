// Kubernetes resource quantities ("250m", "1", "123456789n", "4096Mi", "1Gi", "2G") in base units.

const suffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** The quantity in base units (cores, bytes), or undefined when it is not one. */
export function parseQuantity(value: string | undefined): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(n|u|m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value ?? '');
  if (!match) return undefined;
  return Number(match[1]) * (suffixes[match[2] ?? ''] ?? 1);
}
