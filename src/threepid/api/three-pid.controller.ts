import { applyDecorators, Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Authenticated, Requester } from '../../auth/api/authenticated.decorator';
import { RequiresUia } from '../../auth/api/requires-uia.decorator';
import type { Requester as RequesterModel } from '../../auth/domain/user';
import { MissingParamError } from '../../common/errors/matrix-error';
import { MatrixErrorResponse, RateLimitedErrorResponse } from '../../common/http/matrix-error.dto';
import { CLIENT_V3 } from '../../common/http/matrix-routes';
import { IdentityServerService } from '../application/identity-server.service';
import { ThreePidService } from '../application/three-pid.service';
import { Medium } from '../domain/medium';
import { DeprecatedAddGuard } from './deprecated-add.guard';
import { ThreePidListResponse } from './dto/three-pid.dto';
import { AddThreePidBody, BindThreePidBody, DeleteThreePidBody, DeleteThreePidResponse, DeprecatedAddThreePidBody } from './dto/three-pid-changes.dto';
import { Requires3pidChanges } from './requires-3pid-changes.decorator';

// Guards run in the order of the decorators from the bottom up: the 3PID-changes switch comes
// first, before the access token and the body, so it sits right above the handler.

/** The answers of an identity server that could not be used, on every endpoint that calls one. */
function IdentityServerFailureResponses(): MethodDecorator {
  return applyDecorators(
    ApiBadGatewayResponse({ type: MatrixErrorResponse, description: 'The identity server could not be reached, failed, or gave an unusable answer (`M_UNKNOWN`).' }),
    ApiGatewayTimeoutResponse({ type: MatrixErrorResponse, description: 'The identity server did not answer in time (`M_UNKNOWN`).' }),
  );
}

const ID_SERVER_CHECKS =
  '`id_server` must be a host name or IP literal with an optional port (400 `M_INVALID_PARAM`), allowed by ' +
  'ID_SERVER_ALLOWLIST and at a public address unless allow-listed exactly (400 `M_SERVER_NOT_TRUSTED`, no request made).';

@ApiTags('Account management')
@Controller(CLIENT_V3)
export class ThreePidController {
  constructor(
    private readonly threePids: ThreePidService,
    private readonly identityServers: IdentityServerService,
  ) {}

  @Get('account/3pid')
  @Authenticated()
  @ApiOperation({
    operationId: 'getAccount3PIDs',
    summary: "Gets a list of a user's third-party identifiers.",
    description:
      'Gets a list of the third-party identifiers that the homeserver has associated with the user\'s account. ' +
      'This is *not* the same as the list of third-party identifiers bound to the user\'s Matrix ID in identity servers.',
  })
  @ApiOkResponse({ type: ThreePidListResponse, description: 'The lookup was successful.' })
  async list(@Requester() requester: RequesterModel): Promise<ThreePidListResponse> {
    const threePids = await this.threePids.list(requester.userId);
    return {
      threepids: threePids.map((t) => ({
        medium: t.medium,
        address: t.address,
        validated_at: t.validatedAt,
        added_at: t.addedAt,
      })),
    };
  }

  @Post('account/3pid/add')
  @HttpCode(200)
  @RequiresUia('add a third-party identifier to your account')
  @Requires3pidChanges()
  @ApiOperation({
    operationId: 'add3PID',
    summary: "Adds contact information to the user's account.",
    description:
      'Adds the address of a validated session (see the requestToken endpoints) to the account, after User-Interactive ' +
      'Authentication. Checks, in order: 3PID changes enabled (403 `M_FORBIDDEN`); the access token (401); the body ' +
      '(400); UIA (401 with the flows; a wrong password 401 with `M_FORBIDDEN`; another user\'s credentials or a ' +
      'changed request 403 `M_FORBIDDEN`; too many wrong passwords 429); then the session: it must match the ' +
      '`client_secret`, be validated, unexpired and not used before (400 `M_THREEPID_AUTH_FAILED`); the address must ' +
      'be on no account (400 `M_THREEPID_IN_USE`). A session adds an address once.',
  })
  @ApiOkResponse({ description: 'The addition was successful.', schema: { type: 'object', example: {} } })
  @ApiBadRequestResponse({ type: MatrixErrorResponse, description: 'The request was invalid, the session cannot vouch for the address, or the address is in use.' })
  async add(@Requester() requester: RequesterModel, @Body() body: AddThreePidBody): Promise<Record<string, never>> {
    await this.threePids.add(requester.userId, { sid: body.sid, clientSecret: body.client_secret });
    return {};
  }

  @Post('account/3pid/delete')
  @HttpCode(200)
  @Authenticated()
  @Requires3pidChanges()
  @ApiOperation({
    operationId: 'delete3pidFromAccount',
    summary: "Deletes a third-party identifier from the user's account",
    description:
      "Removes a third-party identifier from the caller's account, after unbinding it at `id_server`, or else at every " +
      'identity server it was bound at through this homeserver (`success` when they all unbound it; `no-support` when ' +
      'one refused or none is known). If an identity server fails, the address stays on the account and its error is ' +
      'the answer. The address is canonicalised first (e-mail case-folded, `+` dropped from phone numbers). Removing an ' +
      `address that is not on the account changes nothing, contacts no identity server, and answers \`no-support\`. ${ID_SERVER_CHECKS}`,
  })
  @ApiOkResponse({ type: DeleteThreePidResponse, description: 'The homeserver has disassociated the third-party identifier from the user.' })
  @ApiBadRequestResponse({ type: MatrixErrorResponse, description: 'The request was invalid (an unknown medium or a bad `id_server`: `M_INVALID_PARAM`), or the identity server is not trusted (`M_SERVER_NOT_TRUSTED`).' })
  @IdentityServerFailureResponses()
  async delete(@Requester() requester: RequesterModel, @Body() body: DeleteThreePidBody): Promise<DeleteThreePidResponse> {
    const result = await this.threePids.remove(requester.userId, body.medium as Medium, body.address, body.id_server);
    return { id_server_unbind_result: result };
  }

  @Post('account/3pid/bind')
  @HttpCode(200)
  @Authenticated()
  @Requires3pidChanges()
  @ApiOperation({
    operationId: 'bind3PID',
    summary: "Binds a 3PID to the user's account through an Identity Service.",
    description:
      'Asks the identity server to publish the association its validated session proves (`POST /3pid/bind` with the ' +
      '`id_access_token`), and records the binding so that it can be unbound later. An identity-server refusal reaches ' +
      `the client with its status and errcode (its token errors as \`M_UNAUTHORIZED\`). ${ID_SERVER_CHECKS}`,
  })
  @ApiOkResponse({ description: 'The addition was successful.', schema: { type: 'object', example: {} } })
  @ApiBadRequestResponse({
    type: MatrixErrorResponse,
    description: 'The request was invalid, the identity server is not trusted (`M_SERVER_NOT_TRUSTED`), or it refused (e.g. `M_SESSION_NOT_VALIDATED`).',
  })
  @ApiTooManyRequestsResponse({ type: RateLimitedErrorResponse, description: 'This request was rate-limited (`M_LIMIT_EXCEEDED`), here or by the identity server.' })
  @IdentityServerFailureResponses()
  async bind(@Requester() requester: RequesterModel, @Body() body: BindThreePidBody): Promise<Record<string, never>> {
    await this.identityServers.bind(requester.userId, {
      idServer: body.id_server,
      sid: body.sid,
      clientSecret: body.client_secret,
      idAccessToken: body.id_access_token,
    });
    return {};
  }

  @Post('account/3pid/unbind')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    operationId: 'unbind3pidFromAccount',
    summary: "Removes a user's third-party identifier from an identity server.",
    description:
      'Unbinds the address at `id_server`, or else at every identity server it was bound at through this homeserver, ' +
      'with a request signed by this homeserver (`X-Matrix`); the address stays on the account. `no-support` when no ' +
      'identity server is known (no request is made) or one answers 400, 404 or 501 without a Matrix error; other ' +
      `identity-server errors are the answer. ${ID_SERVER_CHECKS}`,
  })
  @ApiOkResponse({ type: DeleteThreePidResponse, description: 'The identity server has disassociated the third-party identifier from the user.' })
  @ApiBadRequestResponse({ type: MatrixErrorResponse, description: 'The request was invalid, or the identity server is not trusted (`M_SERVER_NOT_TRUSTED`).' })
  @IdentityServerFailureResponses()
  async unbind(@Requester() requester: RequesterModel, @Body() body: DeleteThreePidBody): Promise<DeleteThreePidResponse> {
    const result = await this.identityServers.unbind(requester.userId, body.medium as Medium, body.address, body.id_server);
    return { id_server_unbind_result: result };
  }

  @Post('account/3pid')
  @HttpCode(200)
  @ApiForbiddenResponse({
    type: MatrixErrorResponse,
    description: 'The credentials do not vouch for an address (`M_THREEPID_AUTH_FAILED`), or 3PID changes are disabled (`M_FORBIDDEN`).',
  })
  @Authenticated()
  @Requires3pidChanges()
  @UseGuards(DeprecatedAddGuard)
  @ApiOperation({
    operationId: 'post3PIDs',
    summary: "Adds contact information to the user's account.",
    deprecated: true,
    description:
      'Deprecated in favour of `/3pid/add`. Adds the address of a validated session of this homeserver, as `/3pid/add` ' +
      'does but without User-Interactive Authentication (the endpoint predates it); `threePidCreds` is accepted for ' +
      '`three_pid_creds`. A `sid` this homeserver does not know, given with `id_server` and `id_access_token`, is asked ' +
      'of that identity server (`GET /3pid/getValidated3pid`), and what it confirms is added. Credentials that do not ' +
      'vouch for an address get 403 `M_THREEPID_AUTH_FAILED`. Off unless THREEPID_DEPRECATED_POST_ENABLED=true (404 ' +
      '`M_UNRECOGNIZED`): without UIA, an access token alone could add an address.',
  })
  @IdentityServerFailureResponses()
  @ApiBody({ type: DeprecatedAddThreePidBody })
  @ApiOkResponse({ description: 'The addition was successful.', schema: { type: 'object', example: {} } })
  @ApiNotFoundResponse({ type: MatrixErrorResponse, description: 'The deprecated endpoint is off, as by default (`M_UNRECOGNIZED`).' })
  async addDeprecated(@Requester() requester: RequesterModel, @Body() body: DeprecatedAddThreePidBody): Promise<Record<string, never>> {
    const credentials = body.three_pid_creds ?? body.threePidCreds;
    if (!credentials) throw new MissingParamError('Missing parameter: three_pid_creds');
    await this.threePids.addDeprecated(requester.userId, {
      sid: credentials.sid,
      clientSecret: credentials.client_secret,
      idServer: credentials.id_server,
      idAccessToken: credentials.id_access_token,
    });
    return {};
  }
}
