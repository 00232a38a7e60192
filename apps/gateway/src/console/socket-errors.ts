import { DomainError, type ErrorBody } from '@blockplane/contracts';
import type { Logger } from '@blockplane/observability';

/** The one place where a failure becomes a socket error's body (`error` events, acks, refused handshakes). */
export function errorBodyOf(error: unknown, logger: Logger): ErrorBody {
  if (error instanceof DomainError) return error.toBody();
  logger.error({ err: error }, 'console socket event failed');
  return { code: 'INTERNAL', message: 'internal error' };
}

/** A refused handshake: socket.io hands `data` to the client's `connect_error`. */
export function handshakeRefusal(body: ErrorBody): Error & { data: ErrorBody } {
  return Object.assign(new Error(body.message), { data: body });
}
