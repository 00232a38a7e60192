import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, type ErrorBody, type ErrorCode } from '@blockplane/contracts';
import { LOGGER, type Logger } from '@blockplane/observability';

const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  QUOTA_EXCEEDED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
};

const codeOfStatus: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** A rate-limited answer says when to come back (`details.retryAfterSeconds`), as the `Retry-After` header too. */
function retryAfterOf(body: ErrorBody): number | undefined {
  if (body.code !== 'RATE_LIMITED' || typeof body.details !== 'object' || body.details === null) return undefined;
  const seconds = (body.details as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : undefined;
}

/** The one place where any failure becomes an HTTP answer: `{ error: { code, message, details? } }`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toAnswer(exception);
    if (status >= 500) this.logger.error({ err: exception }, body.message);
    if (res.headersSent) {
      res.end();
      return;
    }
    const retryAfter = retryAfterOf(body);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json({ error: body });
  }

  private toAnswer(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError) return { status: statusOf[exception.code], body: exception.toBody() };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return {
        status,
        body: {
          code: codeOfStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED'),
          message: exception.message,
        },
      };
    }
    // body-parser's errors arrive here with their own status and type.
    const parserError = exception as { type?: string; status?: number };
    if (parserError.type === 'entity.parse.failed') {
      return { status: 400, body: { code: 'VALIDATION_FAILED', message: 'request body is not valid JSON' } };
    }
    if (parserError.type === 'entity.too.large') {
      return { status: 413, body: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' } };
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return {
        status: parserError.status,
        body: { code: codeOfStatus[parserError.status] ?? 'VALIDATION_FAILED', message: (exception as Error).message },
      };
    }
    return { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };
  }
}
