import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessTokenResolver } from '../application/ports/access-token-resolver';
import { MissingTokenError, UnknownTokenError } from '../domain/auth.errors';
import { Requester } from '../domain/user';

export type AuthenticatedRequest = FastifyRequest & { requester?: Requester };

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Requires an access token, as an `Authorization: Bearer` header or an `access_token` query
 * parameter (not both), and records who made the request for `@Requester()` (unless the rate-limit
 * guard, which runs first, already found that out from the same token). Whose token it is, the
 * AccessTokenResolver says: AuthModule's, or a host's own.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(@Inject(AccessTokenResolver) private readonly tokens: AccessTokenResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.requester) {
      const requester = await this.tokens.resolve(presentedAccessToken(request));
      if (!requester) throw new UnknownTokenError();
      request.requester = requester;
    }
    return true;
  }
}

/** The access token the request carries; MissingTokenError (401) for none, or for one sent two ways. */
export function presentedAccessToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const query = (request.query as Record<string, unknown> | undefined)?.access_token;
  // Node keeps the first of several Authorization headers; a proxy in front may have read another.
  if ((request.raw.headersDistinct.authorization ?? []).length > 1) throw new MissingTokenError('Several Authorization headers.');
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
