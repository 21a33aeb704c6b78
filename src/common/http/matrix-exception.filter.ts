import { ArgumentsHost, Catch, ExceptionFilter, HttpException, NotFoundException } from '@nestjs/common';
import type { Logger } from 'pino';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailability, DatabaseUnavailableError } from '../../database/database-unavailable';
import {
  ErrCode,
  InternalServerError,
  MatrixError,
  TooLargeError,
  UnrecognizedRequestError,
} from '../errors/matrix-error';
import { redactUrl } from '../logging/redact';
import { RouteTable } from './route-table';

/**
 * Writes every error as a Matrix standard error response. MatrixErrors pass through as they are;
 * framework errors are mapped by status; a database that cannot be reached or did not answer in
 * time is 503 M_UNKNOWN, wherever it was met; anything else is logged and answered 500 M_UNKNOWN
 * without internals.
 */
@Catch()
export class MatrixExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly routes: RouteTable,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Nest's router answers an unmatched method+path with NotFoundException: 405 if the path is known.
    const allowedMethods = exception instanceof NotFoundException ? this.routes.methodsFor(request.url) : [];
    const databaseDown = databaseUnavailability(exception);
    const error = allowedMethods.length > 0 ? new UnrecognizedRequestError(405) : databaseDown ? new DatabaseUnavailableError() : toMatrixError(exception);
    if (databaseDown) {
      // Expected, and once per request, while the database is away: one line, no stack trace.
      this.logger.warn({ method: request.method, url: redactUrl(request.url), cause: databaseDown }, 'Database unavailable while serving a request');
    } else if (error.status >= 500) {
      this.logger.error(
        { err: exception, method: request.method, url: redactUrl(request.url) },
        'Unhandled error while serving a request',
      );
    }
    if (reply.sent) return;
    if (allowedMethods.length > 0) void reply.header('Allow', allowedMethods.join(', '));
    const retryAfterMs = error.extra.retry_after_ms;
    // The spec prefers the header to the deprecated body field; both are sent.
    if (error.status === 429 && typeof retryAfterMs === 'number') void reply.header('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
    void reply.status(error.status).send(error.toResponseBody());
  }
}

function toMatrixError(exception: unknown): MatrixError {
  if (exception instanceof MatrixError) return exception;
  if (exception instanceof HttpException) return fromStatus(exception.getStatus());
  return new InternalServerError();
}

/** Framework errors carry a status but a message that may hold internals; the status alone decides. */
function fromStatus(status: number): MatrixError {
  if (status === 413) return new TooLargeError();
  if (status === 404) return new UnrecognizedRequestError(404);
  if (status === 403) return new MatrixError(403, ErrCode.Forbidden, 'Forbidden');
  if (status >= 400 && status < 500) return new MatrixError(status, ErrCode.Unknown, 'Bad request');
  return new InternalServerError();
}
