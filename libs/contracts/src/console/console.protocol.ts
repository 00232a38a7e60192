import { z } from 'zod';
import { powerActions, serverStatuses } from '../api/servers.dto.js';
import { errorCodes } from '../errors/error-codes.js';
import { consoleLineSchema, consoleStatsSchema } from './console.frames.js';

// The socket.io protocol of the gateway's `/console` namespace. Clients send the handshake `auth`
// {token, version}; every client event may take an acknowledgement callback, answered with a ConsoleAck.

export const CONSOLE_SOCKET_NAMESPACE = '/console';
export const CONSOLE_PROTOCOL_VERSION = 1;
/** The longest command any deployment accepts; a deployment may set a lower limit. */
export const CONSOLE_COMMAND_MAX_LENGTH = 256;

/** A command as a user typed it: one line, no control characters (a line break would smuggle a second one). */
export const consoleCommandSchema = z
  .string()
  .max(CONSOLE_COMMAND_MAX_LENGTH, `must be at most ${CONSOLE_COMMAND_MAX_LENGTH} characters`)
  .refine((value) => !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(value), 'must not contain line breaks or control characters')
  .refine((value) => value.trim().length > 0, 'must not be empty');

export const consoleHandshakeSchema = z
  .object({
    /** An access token or an API key. */
    token: z.string().min(1).max(4096),
    version: z.literal(CONSOLE_PROTOCOL_VERSION).default(CONSOLE_PROTOCOL_VERSION),
  })
  .strict();
export type ConsoleHandshake = z.input<typeof consoleHandshakeSchema>;

const serverRef = z.object({ serverId: z.uuid() }).strict();

/** Client → server events and their payloads. */
export const consoleClientEventSchemas = {
  join: serverRef,
  leave: serverRef,
  command: z.object({ serverId: z.uuid(), command: consoleCommandSchema }).strict(),
  power: z.object({ serverId: z.uuid(), action: z.enum(powerActions) }).strict(),
  /** A fresh access token for the same socket, before the current one expires. */
  auth: z.object({ token: z.string().min(1).max(4096) }).strict(),
  /**
   * The client has handled `frames` `console.output` events of the server since it sent `join` (the replay
   * is the first). The gateway sends a client that acknowledges no more than it can take in
   * CONSOLE_VIEWER_MAX_LAG_MS past its own round trip; one that never sends `seen` is judged by its transport.
   */
  seen: z.object({ serverId: z.uuid(), frames: z.int().positive() }).strict(),
} as const;
export type ConsoleClientEvent = keyof typeof consoleClientEventSchemas;
export type ConsoleClientPayload<E extends ConsoleClientEvent> = z.infer<(typeof consoleClientEventSchemas)[E]>;

export const consoleOutputSchema = z.object({ serverId: z.uuid(), lines: z.array(consoleLineSchema) });
export type ConsoleOutput = z.infer<typeof consoleOutputSchema>;

/** The reply a command got, for its sender only (everyone sees what the server logs). */
export const commandResultSchema = z.object({ serverId: z.uuid(), command: z.string(), output: z.string() });
export type CommandResult = z.infer<typeof commandResultSchema>;

export const consoleStatusEventSchema = z.object({
  serverId: z.uuid(),
  status: z.enum(serverStatuses),
  reason: z.string().nullable(),
});
export type ConsoleStatusEvent = z.infer<typeof consoleStatusEventSchema>;

export const tokenExpiringSchema = z.object({ expiresAt: z.iso.datetime({ offset: true }) });
export type TokenExpiring = z.infer<typeof tokenExpiringSchema>;

const consoleErrorBodySchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  details: z.unknown().optional(),
});

/**
 * `event` names the client event that failed, `unknown` for an event the protocol does not have, or
 * `connection` for the socket itself (its authorisation ended, a watched server was taken away).
 */
export const consoleErrorEventSchema = consoleErrorBodySchema.extend({
  event: z.enum([...(Object.keys(consoleClientEventSchemas) as ConsoleClientEvent[]), 'unknown', 'connection']),
});
export type ConsoleErrorEvent = z.infer<typeof consoleErrorEventSchema>;

/** What an acknowledgement callback receives. */
export type ConsoleAck<T> = { ok: true; data: T } | { ok: false; error: z.infer<typeof consoleErrorBodySchema> };

export interface ConsoleAckData {
  join: { serverId: string };
  leave: { serverId: string };
  command: CommandResult;
  power: ConsoleStatusEvent;
  auth: TokenExpiring;
  seen: { serverId: string };
}

/** socket.io's typed events: `Server<ConsoleClientToServerEvents, ConsoleServerToClientEvents>`. */
export type ConsoleClientToServerEvents = {
  [E in ConsoleClientEvent]: (
    payload: ConsoleClientPayload<E>,
    ack?: (answer: ConsoleAck<ConsoleAckData[E]>) => void,
  ) => void;
};

export interface ConsoleServerToClientEvents {
  'console.output': (payload: ConsoleOutput) => void;
  'command.result': (payload: CommandResult) => void;
  status: (payload: ConsoleStatusEvent) => void;
  stats: (payload: z.infer<typeof consoleStatsSchema>) => void;
  'token.expiring': (payload: TokenExpiring) => void;
  error: (payload: ConsoleErrorEvent) => void;
}
