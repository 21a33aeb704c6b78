import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CLIENT_V3 } from '../../common/http/matrix-routes';
import { AccessTokenService } from '../application/access-token.service';
import type { Requester as RequesterModel } from '../domain/user';
import { Authenticated, Requester } from './authenticated.decorator';

const EMPTY_OBJECT = { type: 'object', properties: {}, example: {} } as const;

/**
 * Where access tokens end (spec: Client-Server API, session management). Both take an empty body,
 * and any body is ignored, as the spec lets clients send none (matrix-js-sdk sends none).
 */
@ApiTags('Session management')
@Controller(CLIENT_V3)
export class LogoutController {
  constructor(private readonly tokens: AccessTokenService) {}

  @Post('logout')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    operationId: 'logout',
    summary: 'Invalidates a user access token',
    description:
      'Invalidates the access token the request is made with (and its device\'s), so that it can no longer be used: ' +
      'it then answers 401 `M_UNKNOWN_TOKEN` with `soft_logout: false`. The request body is empty. In Swagger UI, ' +
      'this ends the token given to **Authorize**: log in again for another.',
  })
  @ApiOkResponse({ description: 'The access token used in the request was successfully invalidated.', schema: EMPTY_OBJECT })
  async logout(@Requester() requester: RequesterModel): Promise<Record<string, never>> {
    await this.tokens.logout(requester);
    return {};
  }

  @Post('logout/all')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    operationId: 'logout_all',
    summary: 'Invalidates all access tokens for a user',
    description:
      "Invalidates every access token of the user, the one the request is made with included, so that none can be used " +
      'any more (401 `M_UNKNOWN_TOKEN`, `soft_logout: false`). The request body is empty. No User-Interactive ' +
      'Authentication: someone who holds one stolen token can only end the sessions, not take the account over.',
  })
  @ApiOkResponse({ description: "The user's access tokens were successfully invalidated.", schema: EMPTY_OBJECT })
  async logoutAll(@Requester() requester: RequesterModel): Promise<Record<string, never>> {
    await this.tokens.logoutAll(requester.userId);
    return {};
  }
}
