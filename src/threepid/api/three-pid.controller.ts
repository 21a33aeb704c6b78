import { applyDecorators, Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, Requester } from '../../auth/api/authenticated.decorator';
import { EXAMPLE_UIA_SESSION } from '../../auth/api/dto/uia.dto';
import { RequiresUia } from '../../auth/api/requires-uia.decorator';
import type { Requester as RequesterModel } from '../../auth/domain/user';
import { MissingParamError } from '../../common/errors/matrix-error';
import { ApiMatrixError, RATE_LIMITED_EXAMPLE } from '../../common/http/matrix-error.dto';
import { CLIENT_V3 } from '../../common/http/matrix-routes';
import { IdentityServerService } from '../application/identity-server.service';
import { ThreePidService } from '../application/three-pid.service';
import { Medium } from '../domain/medium';
import { DeprecatedAddGuard } from './deprecated-add.guard';
import { ERRORS, EXAMPLE } from './dto/examples';
import { thirdPartyIdentifier, ThreePidListResponse } from './dto/three-pid.dto';
import { AddThreePidBody, BindThreePidBody, DeleteThreePidBody, DeleteThreePidResponse, DeprecatedAddThreePidBody } from './dto/three-pid-changes.dto';
import { Requires3pidChanges } from './requires-3pid-changes.decorator';

// Guards run in the order of the decorators from the bottom up: the 3PID-changes switch comes
// first, before the access token and the body, so it sits right above the handler.

/** The answers of an identity server that could not be used, on every endpoint that calls one. */
function IdentityServerFailureResponses(): MethodDecorator {
  return applyDecorators(
    ApiMatrixError(502, 'The identity server could not be reached, failed, or gave an unusable answer (`M_UNKNOWN`).', ERRORS.unreachable),
    ApiMatrixError(504, 'The identity server did not answer in time (`M_UNKNOWN`).', ERRORS.timeout),
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
    return { threepids: threePids.map(thirdPartyIdentifier) };
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
      'Authentication, in two requests. The first, as in the example, has no `auth`: it gets 401 with the flows and a ' +
      '`session`. The second repeats the body with `auth`, the password again:\n\n' +
      '```json\n' +
      `{"client_secret": "${EXAMPLE.clientSecret}", "sid": "${EXAMPLE.sid}",\n` +
      ' "auth": {"type": "m.login.password", "session": "<the session from the 401>",\n' +
      '          "identifier": {"type": "m.id.user", "user": "alice"}, "password": "a long password"}}\n' +
      '```\n\n' +
      'Checks, in order: 3PID changes enabled (403 `M_FORBIDDEN`); the access token (401); the body ' +
      '(400); UIA (401 with the flows; a wrong password 401 with `M_FORBIDDEN`; another user\'s credentials or a ' +
      'changed request 403 `M_FORBIDDEN`; too many wrong passwords 429); then the session: it must match the ' +
      '`client_secret`, be validated, unexpired and not used before (400 `M_THREEPID_AUTH_FAILED`; 429 while the ' +
      'message whose token validated it is still being sent); the address must be on no account (400 ' +
      '`M_THREEPID_IN_USE`). A session adds an address once.',
  })
  @ApiBody({
    type: AddThreePidBody,
    examples: {
      first: { summary: 'The first request: no auth (answers 401 with a session)', value: { client_secret: EXAMPLE.clientSecret, sid: EXAMPLE.sid } },
      second: {
        summary: 'The second request: auth with the session from the 401, and the password',
        value: {
          client_secret: EXAMPLE.clientSecret,
          sid: EXAMPLE.sid,
          auth: {
            type: 'm.login.password',
            session: EXAMPLE_UIA_SESSION,
            identifier: { type: 'm.id.user', user: 'alice' },
            password: 'a long password',
          },
        },
      },
    },
  })
  @ApiOkResponse({ description: 'The addition was successful.', schema: { type: 'object', example: {} } })
  @ApiMatrixError(
    400,
    'The request was invalid (`M_MISSING_PARAM`, `M_INVALID_PARAM`, `M_BAD_JSON`), the UIA session is unknown or expired ' +
      '(`M_UNKNOWN`), the validation session cannot vouch for the address (`M_THREEPID_AUTH_FAILED`), or the address is ' +
      'on an account (`M_THREEPID_IN_USE`).',
    ERRORS.authFailed,
    ERRORS.inUse,
    ['M_UNKNOWN', 'Unknown or expired session ID'],
    ERRORS.missingParam,
  )
  @ApiMatrixError(
    403,
    'The credentials are not the logged-in user\'s, or the request changed during the UIA session (`M_FORBIDDEN`); the ' +
      'address is not allowed here (`M_THREEPID_DENIED`).',
    ['M_FORBIDDEN', 'Invalid auth: the credentials are not those of the logged-in user'],
    ERRORS.denied,
  )
  @ApiMatrixError(429, 'The message whose token validated the session is still being sent (`M_LIMIT_EXCEEDED`, with `retry_after_ms`).', [
    'M_LIMIT_EXCEEDED',
    'The message that validated this session is still being sent. Please try again shortly',
    { retry_after_ms: 1000 },
  ])
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
  @ApiBody({ type: DeleteThreePidBody, examples: { email: { summary: 'An e-mail address', value: { medium: 'email', address: EXAMPLE.email } } } })
  @ApiOkResponse({ type: DeleteThreePidResponse, description: 'The homeserver has disassociated the third-party identifier from the user.' })
  @ApiMatrixError(
    400,
    'The request was invalid (an unknown medium, an address that does not parse or a bad `id_server`: `M_INVALID_PARAM`), ' +
      'or the identity server is not trusted (`M_SERVER_NOT_TRUSTED`).',
    ERRORS.invalidMedium,
    ERRORS.invalidEmail,
    ERRORS.notTrusted,
  )
  @ApiMatrixError(403, 'The policy keeps this address on the account (`M_FORBIDDEN`).', [
    'M_FORBIDDEN',
    'This third-party identifier may not be removed from your account',
  ])
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
  @ApiBody({
    type: BindThreePidBody,
    examples: {
      session: {
        summary: 'A session the identity server validated (its sid and client_secret)',
        value: { client_secret: EXAMPLE.clientSecret, id_server: EXAMPLE.idServer, id_access_token: EXAMPLE.idAccessToken, sid: EXAMPLE.sid },
      },
    },
  })
  @ApiOkResponse({ description: 'The addition was successful.', schema: { type: 'object', example: {} } })
  @ApiMatrixError(
    400,
    'The request was invalid (`M_INVALID_PARAM`), the identity server is not trusted (`M_SERVER_NOT_TRUSTED`), or it ' +
      'refused (its own errcode, e.g. `M_SESSION_NOT_VALIDATED`).',
    ERRORS.notTrusted,
    ['M_SESSION_NOT_VALIDATED', 'This validation session has not yet been completed'],
    ['M_INVALID_PARAM', 'id_server must be a host name or IP literal with an optional port'],
  )
  @ApiMatrixError(429, 'This request was rate-limited (`M_LIMIT_EXCEEDED`), here or by the identity server.', RATE_LIMITED_EXAMPLE)
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
  @ApiBody({ type: DeleteThreePidBody, examples: { email: { summary: 'Wherever it was bound through this server', value: { medium: 'email', address: EXAMPLE.email } } } })
  @ApiOkResponse({ type: DeleteThreePidResponse, description: 'The identity server has disassociated the third-party identifier from the user.' })
  @ApiMatrixError(
    400,
    'The request was invalid (`M_INVALID_PARAM`), or the identity server is not trusted (`M_SERVER_NOT_TRUSTED`).',
    ERRORS.invalidMedium,
    ERRORS.invalidEmail,
    ERRORS.notTrusted,
  )
  @IdentityServerFailureResponses()
  async unbind(@Requester() requester: RequesterModel, @Body() body: DeleteThreePidBody): Promise<DeleteThreePidResponse> {
    const result = await this.identityServers.unbind(requester.userId, body.medium as Medium, body.address, body.id_server);
    return { id_server_unbind_result: result };
  }

  @Post('account/3pid')
  @HttpCode(200)
  @ApiMatrixError(403, 'The credentials do not vouch for an address (`M_THREEPID_AUTH_FAILED`).', [
    'M_THREEPID_AUTH_FAILED',
    'No validation session matches this sid and client_secret',
  ])
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
  @ApiBody({
    type: DeprecatedAddThreePidBody,
    examples: { session: { summary: 'A validated session of this homeserver', value: { three_pid_creds: { client_secret: EXAMPLE.clientSecret, sid: EXAMPLE.sid } } } },
  })
  @ApiOkResponse({ description: 'The addition was successful.', schema: { type: 'object', example: {} } })
  @ApiMatrixError(400, 'The request was invalid (`M_MISSING_PARAM`, `M_INVALID_PARAM`), or the address is in use (`M_THREEPID_IN_USE`).', ['M_MISSING_PARAM', 'Missing parameter: three_pid_creds'], ERRORS.inUse)
  @ApiMatrixError(404, 'The deprecated endpoint is off, as by default (`M_UNRECOGNIZED`).', ['M_UNRECOGNIZED', 'Unrecognized request'])
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
