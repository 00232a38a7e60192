import { z } from 'zod';
import { permissionSchema } from './permissions.js';

export const roles = ['user', 'admin'] as const;
export type Role = (typeof roles)[number];

/**
 * Who is asking: the gateway authenticates the request and passes this along every call.
 * A request made with an API key carries the key and the permissions it is limited to; such an
 * actor never has the admin role (keys are for servers, not for the admin API).
 */
export const actorSchema = z
  .object({
    userId: z.uuid(),
    role: z.enum(roles),
    apiKey: z
      .object({ id: z.uuid(), permissions: z.array(permissionSchema) })
      .strict()
      .optional(),
  })
  .strict();
export type Actor = z.infer<typeof actorSchema>;
