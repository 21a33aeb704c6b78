import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiMatrixError, RATE_LIMITED_EXAMPLE } from '../../common/http/matrix-error.dto';
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
    description:
      'Log in with `m.login.password`; the `access_token` in the answer authorises the other calls (press **Authorize** ' +
      'and paste it). The example logs in as `alice` with the password `a long password` (`npm run cli -- user:create ' +
      "alice --password 'a long password'`). A wrong password and an unknown user get the same 403; more than " +
      'RATE_LIMIT_FAILED_PASSWORDS wrong passwords given with one user ID or address get 429 for it.',
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
  @ApiMatrixError(
    400,
    'Part of the request was invalid: an unknown login or identifier type (`M_UNKNOWN`), no password or identifier ' +
      '(`M_MISSING_PARAM`), a field of the wrong type (`M_BAD_JSON`).',
    ['M_UNKNOWN', 'Unknown login type m.login.token'],
    ['M_MISSING_PARAM', 'Missing parameter: password'],
    ['M_BAD_JSON', 'password must be a string'],
  )
  @ApiMatrixError(403, 'The login attempt failed (`M_FORBIDDEN`): a wrong password, or a user that does not exist.', [
    'M_FORBIDDEN',
    'Invalid username or password',
  ])
  @ApiMatrixError(
    429,
    'Too many requests from this client, or too many wrong passwords given with this user ID or address ' +
      '(`M_LIMIT_EXCEEDED`, with `retry_after_ms`).',
    RATE_LIMITED_EXAMPLE,
    ['M_LIMIT_EXCEEDED', 'Too many failed attempts. Please try again later', { retry_after_ms: 540_000 }],
  )
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
