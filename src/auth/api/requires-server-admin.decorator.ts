import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, UseGuards } from '@nestjs/common';
import { ApiMatrixError } from '../../common/http/matrix-error.dto';
import { ServerAdminVerifier } from '../application/ports/server-admin-verifier';
import { NotServerAdminError } from '../domain/auth.errors';
import type { AuthenticatedRequest } from './access-token.guard';
import { Authenticated } from './authenticated.decorator';

/** Lets only server administrators through; runs after @Authenticated()'s AccessTokenGuard, which found the requester. */
@Injectable()
export class ServerAdminGuard implements CanActivate {
  constructor(@Inject(ServerAdminVerifier) private readonly admins: ServerAdminVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { requester } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!requester || !(await this.admins.isServerAdmin(requester.userId))) throw new NotServerAdminError();
    return true;
  }
}

/**
 * The endpoint is for server administrators: an access token (`@Authenticated()`), of a user the
 * ServerAdminVerifier vouches for; anyone else gets 403 M_FORBIDDEN.
 */
export function RequiresServerAdmin(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    Authenticated(),
    UseGuards(ServerAdminGuard),
    ApiMatrixError(403, "The access token is not a server administrator's (`M_FORBIDDEN`).", ['M_FORBIDDEN', 'You are not a server admin']),
  );
}
