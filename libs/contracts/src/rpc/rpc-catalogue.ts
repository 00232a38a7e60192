import { z } from 'zod';

export const serviceNames = ['gateway', 'auth', 'servers', 'provisioner', 'console', 'files'] as const;
export type ServiceName = (typeof serviceNames)[number];

const pingRequest = z.object({}).strict();
const pingResponse = z.object({
  service: z.enum(serviceNames),
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  /** The trace the request arrived in: lets callers check that context crossed the hop. */
  traceId: z.string().optional(),
});
const ping = { request: pingRequest, response: pingResponse };

/** Every request/reply subject over core NATS, with its request and response schemas. */
export const rpcCatalogue = {
  'auth.ping': ping,
  'servers.ping': ping,
  'provisioner.ping': ping,
  'console.ping': ping,
  'files.ping': ping,
} as const;

export type RpcCatalogue = typeof rpcCatalogue;
export type RpcSubject = keyof RpcCatalogue;
export type RpcRequest<S extends RpcSubject> = z.infer<RpcCatalogue[S]['request']>;
export type RpcResponse<S extends RpcSubject> = z.infer<RpcCatalogue[S]['response']>;
export type PingResponse = z.infer<typeof pingResponse>;
