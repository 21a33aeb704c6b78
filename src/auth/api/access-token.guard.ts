import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessTokenResolver } from '../application/ports/access-token-resolver';
import { MissingTokenError, UnknownTokenError } from '../domain/auth.errors';
import { Requester } from '../domain/user';

export type AuthenticatedRequest = FastifyRequest & { requester?: Requester };

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Requires an access token, as an `Authorization: Bearer` header or an `access_token` query
 * parameter (not both), and records who made the request for `@Requester()`. Whose token it is,
 * the AccessTokenResolver says: AuthModule's, or a host's own.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(@Inject(AccessTokenResolver) private readonly tokens: AccessTokenResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const requester = await this.tokens.resolve(presentedToken(request));
    if (!requester) throw new UnknownTokenError();
    request.requester = requester;
    return true;
  }
}

function presentedToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const query = (request.query as Record<string, unknown> | undefined)?.access_token;
  if (header !== undefined && query !== undefined) {
    throw new MissingTokenError('Mixing Authorization headers and access_token query parameters.');
  }
  if (header !== undefined) {
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new MissingTokenError('Invalid Authorization header.');
    return token;
  }
  if (typeof query === 'string' && query.length > 0) return query;
  if (query !== undefined) throw new MissingTokenError('Invalid access_token query parameter.');
  throw new MissingTokenError();
}
