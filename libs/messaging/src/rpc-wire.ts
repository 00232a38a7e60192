import { z } from 'zod';
import { errorCodes } from '@blockplane/contracts';

/** What a request/reply answer looks like on the wire. */
export const rpcReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.enum(errorCodes), message: z.string(), details: z.unknown().optional() }),
  }),
]);
export type RpcReply = z.infer<typeof rpcReplySchema>;

/** Only the W3C trace headers cross a hop. */
export const traceHeaderNames = ['traceparent', 'tracestate'] as const;
