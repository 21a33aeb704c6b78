import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { MatrixErrorResponse } from '../../common/http/matrix-error.dto';
import { Requester as RequesterModel } from '../domain/user';
import { AccessTokenGuard, AuthenticatedRequest } from './access-token.guard';

/** Marks endpoints that need an access token, so that rate limits count them per user. */
export const RequiresAccessToken = Reflector.createDecorator<true>();

export function requiresAccessToken(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.getAllAndOverride(RequiresAccessToken, [context.getHandler(), context.getClass()]) === true;
}

/** The endpoint needs an access token (header or query); documents both schemes and the 401. */
export function Authenticated(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    RequiresAccessToken(true),
    UseGuards(AccessTokenGuard),
    ApiSecurity('accessTokenBearer'),
    ApiSecurity('accessTokenQuery'),
    ApiUnauthorizedResponse({
      description: 'The access token is missing (`M_MISSING_TOKEN`) or not recognised (`M_UNKNOWN_TOKEN`).',
      type: MatrixErrorResponse,
    }),
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
