import { z } from 'zod';

/** A section: a zod object keyed by environment variable names, transformed into its typed shape. */
export type ConfigSection<T = unknown> = z.ZodType<T, Record<string, string | undefined>>;
export type ConfigOf<S extends Record<string, ConfigSection>> = { [K in keyof S]: z.output<S[K]> };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates every section against the environment and returns the typed config,
 * or throws one ConfigError whose message names each bad variable and what it expects.
 */
export function loadConfig<S extends Record<string, ConfigSection>>(
  sections: S,
  env: Record<string, string | undefined> = process.env,
): ConfigOf<S> {
  // An empty variable counts as unset, as a blank line in a Helm values file means "use the default".
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, section] of Object.entries(sections)) {
    const result = section.safeParse(given);
    if (result.success) config[name] = result.data;
    else problems.push(...result.error.issues.map((issue) => describeIssue(issue, given)));
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration: ${[...new Set(problems)].join('; ')}`);
  }
  return config as ConfigOf<S>;
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const variable = String(issue.path[0] ?? '(environment)');
  const value = env[variable];
  if (value === undefined) return `${variable} is required: ${issue.message}`;
  return `${variable}=${JSON.stringify(value)} is invalid: ${issue.message}`;
}
