import { z } from 'zod';
import { type Plan, planSchema, type ServerTypeInfo, serverTypeInfoSchema } from '@blockplane/contracts';

const defaultPlans: Plan[] = [
  { id: 'small', name: 'Small', cpuCores: 1, memoryMb: 2048, diskGb: 10 },
  { id: 'medium', name: 'Medium', cpuCores: 2, memoryMb: 4096, diskGb: 20 },
  { id: 'large', name: 'Large', cpuCores: 4, memoryMb: 8192, diskGb: 40 },
];

const releases = ['LATEST', '1.21.4', '1.21.1', '1.20.6', '1.20.4', '1.19.4'];
const defaultTypes: ServerTypeInfo[] = [
  { id: 'vanilla', name: 'Vanilla', versions: releases },
  { id: 'paper', name: 'Paper', versions: releases },
  { id: 'spigot', name: 'Spigot', versions: releases },
  // Mod loaders lag behind the releases.
  { id: 'forge', name: 'Forge', versions: ['1.21.1', '1.20.6', '1.20.4', '1.19.4'] },
  { id: 'fabric', name: 'Fabric', versions: ['LATEST', '1.21.4', '1.21.1', '1.20.4', '1.19.4'] },
];

const uniqueIds = (items: { id: string }[]) => new Set(items.map((item) => item.id)).size === items.length;

/** A variable holding a JSON list of catalogue entries; unset means the defaults. */
function jsonList<T extends { id: string }>(item: z.ZodType<T>, fallback: T[], example: string) {
  const list = z.array(item).min(1, 'expected at least one entry').refine(uniqueIds, 'expected unique ids');
  return z
    .string()
    .optional()
    .transform((text, ctx): T[] => {
      if (text === undefined) return fallback;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected JSON such as ${example}` });
        return z.NEVER;
      }
      const result = list.safeParse(parsed);
      if (result.success) return result.data;
      ctx.addIssue({ code: 'custom', message: z.prettifyError(result.error).replaceAll('\n', ' ') });
      return z.NEVER;
    });
}

/** The plans and server types users may pick, overridable as JSON (`PLANS`, `SERVER_TYPES`). */
export const catalogueSection = z
  .object({
    PLANS: jsonList(
      planSchema,
      defaultPlans,
      '[{"id":"small","name":"Small","cpuCores":1,"memoryMb":2048,"diskGb":10}]',
    ),
    SERVER_TYPES: jsonList(serverTypeInfoSchema, defaultTypes, '[{"id":"paper","name":"Paper","versions":["1.21.4"]}]'),
  })
  .transform((e) => ({ plans: e.PLANS, types: e.SERVER_TYPES }));
export type CatalogueConfig = z.output<typeof catalogueSection>;
