import { FastifyReply, FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import { redactUrl } from './redact';

/**
 * One access-log line per request, written when the response is done. Only method, redacted URL,
 * status and timing: never headers (Authorization) or bodies (passwords). The line goes to
 * `accessLog` (see createAccessLogger), a failure's to the request's own, redacting, logger.
 */
export class RequestLogController extends LogController {
  constructor(private readonly accessLog: Logger) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      reqId: request.id,
      method: request.method,
      url: redactUrl(request.url),
      status: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
      remoteAddress: request.ip,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request failed');
    else this.accessLog.info(line, 'request completed');
  }
}
