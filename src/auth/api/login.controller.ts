import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MatrixErrorResponse } from '../../common/http/matrix-error.dto';
import { CLIENT_V3 } from '../../common/http/matrix-routes';
import { LoginService } from '../application/login.service';
import type { Requester as RequesterModel } from '../domain/user';
import { Authenticated, Requester } from './authenticated.decorator';
import { passwordCredentials } from './dto/password-credentials';
import { LoginBody, LoginFlowsResponse, LoginResponse, WhoamiResponse } from './dto/login.dto';

@ApiTags('Session management')
@Controller(CLIENT_V3)
export class LoginController {
  constructor(private readonly logins: LoginService) {}

  @Get('login')
  @ApiOperation({ operationId: 'getLoginFlows', summary: 'Get the supported login types to authenticate users' })
  @ApiOkResponse({ type: LoginFlowsResponse, description: 'The login types the homeserver supports' })
  getLoginFlows(): LoginFlowsResponse {
    return { flows: this.logins.flows() };
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'login',
    summary: 'Authenticates the user.',
    description: 'Log in with `m.login.password`; the `access_token` in the answer authorises the other calls.',
  })
  @ApiBody({
    type: LoginBody,
    examples: {
      password: {
        summary: 'Password login',
        value: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'a long password' },
      },
      email: {
        summary: 'Password login with an e-mail address on the account',
        value: { type: 'm.login.password', identifier: { type: 'm.id.thirdparty', medium: 'email', address: 'alice@example.org' }, password: 'a long password' },
      },
    },
  })
  @ApiOkResponse({ type: LoginResponse, description: 'The user has been authenticated.' })
  @ApiBadRequestResponse({ type: MatrixErrorResponse, description: 'Part of the request was invalid.' })
  @ApiForbiddenResponse({ type: MatrixErrorResponse, description: 'The login attempt failed (`M_FORBIDDEN`).' })
  async login(@Body() body: LoginBody): Promise<LoginResponse> {
    const result = await this.logins.login({ type: body.type, ...passwordCredentials(body), deviceId: body.device_id });
    return { user_id: result.userId, access_token: result.accessToken, device_id: result.deviceId, expires_in_ms: result.expiresInMs };
  }

  @Get('account/whoami')
  @Authenticated()
  @ApiOperation({ operationId: 'getTokenOwner', summary: 'Gets information about the owner of an access token.' })
  @ApiOkResponse({ type: WhoamiResponse, description: 'The token belongs to a known user.' })
  whoami(@Requester() requester: RequesterModel): WhoamiResponse {
    return { user_id: requester.userId, device_id: requester.deviceId, is_guest: false };
  }
}
