import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ErrCode, MatrixError, UnrecognizedRequestError } from '../errors/matrix-error';
import { UnparsableBody } from './unparsable-body';
import { RouteTable } from './route-table';

/** The recommended headers, on every response. @see spec: Client-Server API, "Web Browser Clients" */
export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization',
} as const;

/** Bodies are JSON, and JSON is UTF-8: anything else is M_NOT_JSON rather than silently repaired. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * HTTP behaviour the Matrix spec asks of every endpoint, installed on the Fastify instance before
 * Nest registers its routes:
 * - bodies are JSON whatever the Content-Type says (clients need not send one); invalid JSON is
 *   M_NOT_JSON, answered by the validation pipe, so that guards (authentication, feature switches)
 *   speak first; an empty body counts as none; a request that matches no route is not parsed,
 *   so 404/405 win over body errors;
 * - CORS headers on every response, and OPTIONS answered for any path before any endpoint logic.
 */
export function installMatrixHttpConventions(fastify: FastifyInstance, routes: RouteTable): void {
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'OPTIONS') routes.add(method, route.url);
  });

  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('remove', 'remove');
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    // An empty body is no body: endpoints that need one answer M_NOT_JSON, and the e-mail
    // confirmation form (which posts nothing) gets through.
    if (request.is404 || (body as Buffer).length === 0) return done(null, undefined);
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(null, new UnparsableBody());
    }
    parseJson(request, text, (error, json) => done(null, error ? new UnparsableBody() : json));
  });

  fastify.addHook('onRequest', (request, reply, done) => {
    if (!answeredAsPreflight(request, reply)) done();
  });
  // The hook answers OPTIONS first; this route makes every OPTIONS routable, so that even a path
  // Fastify cannot decode reaches answerUnroutableRequest as OPTIONS rather than its default 404.
  fastify.options('*', (_request, reply) => reply.code(204).send());
}

/** Adds the CORS headers; answers OPTIONS itself (true) before routing, parsing or endpoint logic. */
function answeredAsPreflight(request: FastifyRequest, reply: FastifyReply): boolean {
  void reply.headers(CORS_HEADERS);
  if (request.method !== 'OPTIONS') return false;
  void reply.code(204).send();
  return true;
}

/**
 * Requests Fastify cannot route at all (a malformed percent-escape in the path, say) would get
 * Fastify's own error body, which echoes the URL; answer them like any unknown path.
 */
export const answerUnroutableRequest: FastifyServerOptions['frameworkErrors'] = (
  _error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
) => {
  if (!answeredAsPreflight(request, reply)) void reply.code(404).send(new UnrecognizedRequestError(404).toResponseBody());
};

/**
 * Requests Node's HTTP parser refuses never reach a route: a control character in a header, a
 * request line it cannot read, Content-Length with Transfer-Encoding, headers over its limit.
 * Fastify would answer them with its own error body; they get a Matrix error like any other.
 */
export const answerMalformedRequest: FastifyServerOptions['clientErrorHandler'] = function (this: FastifyInstance, error, socket) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || socket.destroyed) return;
  const answer =
    code === 'HPE_HEADER_OVERFLOW'
      ? new MatrixError(431, ErrCode.TooLarge, 'Request headers are too large')
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new MatrixError(408, ErrCode.Unknown, 'Request timed out')
        : new MatrixError(400, ErrCode.Unknown, 'Malformed HTTP request');
  this.log.trace({ code }, 'Malformed HTTP request');
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify(answer.toResponseBody());
  const headers = { ...CORS_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  // Written in full, then closed: the rest of what the client sent is never read.
  socket.end(`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n${head}\r\n${body}`);
};
