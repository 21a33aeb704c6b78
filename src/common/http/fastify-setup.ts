import type { FastifyInstance } from 'fastify';
import { NotJsonError } from '../errors/matrix-error';
import { RouteTable } from './route-table';

/** The recommended headers, on every response. @see spec: Client-Server API, "Web Browser Clients" */
export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization',
} as const;

/**
 * HTTP behaviour the Matrix spec asks of every endpoint, installed on the Fastify instance before
 * Nest registers its routes:
 * - bodies are JSON whatever the Content-Type says (clients need not send one), and invalid JSON
 *   is M_NOT_JSON;
 * - CORS headers on every response, and OPTIONS answered for any path without running endpoint logic.
 */
export function installMatrixHttpConventions(fastify: FastifyInstance, routes: RouteTable): void {
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'OPTIONS') routes.add(method, route.url);
  });

  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('remove', 'remove');
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (error, json) => (error ? done(new NotJsonError(), undefined) : done(null, json)));
  });

  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(CORS_HEADERS);
    done();
  });
  fastify.options('*', (_request, reply) => reply.code(204).send());
}
