import { z } from 'zod';

/** Schemas for single environment variables; their messages say what a valid value looks like. */
export const envTypes = {
  port: (fallback: number) =>
    z
      .string()
      .default(String(fallback))
      .refine((v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535, 'expected a port number from 0 to 65535')
      .transform(Number),

  integer: (fallback: number, min = 0) =>
    z
      .string()
      .default(String(fallback))
      .refine((v) => /^-?\d+$/.test(v) && Number(v) >= min, `expected a whole number of at least ${min}`)
      .transform(Number),

  url: (protocols: readonly string[], example: string) =>
    z.string({ error: `expected a URL such as ${example}` }).refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `expected a URL such as ${example}`),

  oneOf: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values, { error: `expected one of ${values.join(', ')}` }).default(fallback),

  text: (fallback: string) => z.string().min(1, 'expected a non-empty value').default(fallback),

  /** A kubeconfig file; unset means the in-cluster service account. */
  kubeconfig: () => z.string().optional(),

  /** A Kubernetes namespace name (a DNS-1123 label). */
  namespace: (fallback: string) =>
    z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a DNS-1123 label (lower-case letters, digits, -)')
      .default(fallback),
};
