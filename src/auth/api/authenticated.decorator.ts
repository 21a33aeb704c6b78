import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiMatrixError, type MatrixErrorExample } from '../../common/http/matrix-error.dto';
import { Requester as RequesterModel } from '../domain/user';
import { AccessTokenGuard, AuthenticatedRequest } from './access-token.guard';

/** Marks endpoints that need an access token, so that rate limits count them per user. */
export const RequiresAccessToken = Reflector.createDecorator<true>();

export function requiresAccessToken(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.getAllAndOverride(RequiresAccessToken, [context.getHandler(), context.getClass()]) === true;
}

/** The 401s of a missing, unknown, ended or expired access token, as examples. */
export const ACCESS_TOKEN_ERRORS: MatrixErrorExample[] = [
  ['M_MISSING_TOKEN', 'Missing access token'],
  ['M_UNKNOWN_TOKEN', 'Unrecognised access token', { soft_logout: false }],
  ['M_UNKNOWN_TOKEN', 'Access token has expired', { soft_logout: true }],
];

export const ACCESS_TOKEN_ERRORS_DESCRIPTION =
  'The access token is missing (`M_MISSING_TOKEN`), not recognised or ended by logout (`M_UNKNOWN_TOKEN`, `soft_logout: false`), ' +
  'or past ACCESS_TOKEN_LIFETIME (`M_UNKNOWN_TOKEN`, `soft_logout: true`).';

/**
 * The endpoint needs an access token: documented as the spec's `accessTokenBearer` scheme, the
 * only one Swagger UI's Authorize offers (offering the query form too would send the token twice,
 * which is refused); the `access_token` query parameter is accepted all the same.
 */
export function Authenticated(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    RequiresAccessToken(true),
    UseGuards(AccessTokenGuard),
    ApiSecurity('accessTokenBearer'),
    ApiMatrixError(401, ACCESS_TOKEN_ERRORS_DESCRIPTION, ...ACCESS_TOKEN_ERRORS),
  );
}

/** Who made the request: `@Requester() requester: Requester`, on handlers marked `@Authenticated()` or `@RequiresUia()`. */
export type Requester = RequesterModel;
export const Requester = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequesterModel => {
    const requester = context.switchToHttp().getRequest<AuthenticatedRequest>().requester;
    if (!requester) throw new Error('@Requester() used on a handler without @Authenticated()');
    return requester;
  },
);
