import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';

/**
 * The client's IP for counting purposes: the socket's peer, or the address TRUSTED_PROXIES
 * vouch for (Fastify's trustProxy), with IPv6 clients counted per /64 (one household or host).
 */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  normalizeIp(context.switchToHttp().getRequest<FastifyRequest>().ip),
);
