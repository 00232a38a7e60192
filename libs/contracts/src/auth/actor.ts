import { z } from 'zod';

export const roles = ['user', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who is asking: the gateway authenticates the request and passes this along every call. */
export const actorSchema = z.object({ userId: z.uuid(), role: z.enum(roles) }).strict();
export type Actor = z.infer<typeof actorSchema>;
