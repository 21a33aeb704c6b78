import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClientAddress } from '../../common/http/client-address.decorator';
import { ApiMatrixError, type MatrixErrorExample, RATE_LIMITED_EXAMPLE } from '../../common/http/matrix-error.dto';
import { CLIENT_V3 } from '../../common/http/matrix-routes';
import { TokenRequest, ValidationService } from '../application/validation.service';
import {
  EmailRequestTokenBody,
  MsisdnRequestTokenBody,
  MsisdnRequestTokenResponse,
  RequestTokenResponse,
} from './dto/validation.dto';
import { ERRORS, EXAMPLE } from './dto/examples';
import { Requires3pidChanges } from './requires-3pid-changes.decorator';

const CHECK_ORDER =
  'Checks, in order: 3PID changes enabled (403 `M_FORBIDDEN`); this medium delivered (400 ' +
  '`M_THREEPID_MEDIUM_NOT_SUPPORTED`); the body (`M_NOT_JSON`, `M_BAD_JSON`, `M_MISSING_PARAM`); `client_secret` ' +
  '(`M_INVALID_PARAM`); the address (`M_INVALID_PARAM`); the address allowed here (403 `M_THREEPID_DENIED`); ' +
  '`id_server` only with `id_access_token` (`M_INVALID_PARAM`); `next_link` (`M_INVALID_PARAM`); RATE_LIMIT_REQUEST_TOKEN, ' +
  'counted per client IP and per address (429 `M_LIMIT_EXCEEDED`); the address on no account (`M_THREEPID_IN_USE`, ' +
  'unless THREEPID_INHIBIT_ERRORS: then an address in use is answered as a free one, and nothing is sent). A ' +
  'repeat of a request whose message is still being sent gets 429 `M_LIMIT_EXCEEDED`. ' +
  'No access token is needed.';

/** The errors both requestToken endpoints answer; `invalidAddress` and `notSent` are the medium's own. */
function RequestTokenErrors(invalidAddress: MatrixErrorExample, notSent: MatrixErrorExample): MethodDecorator {
  return applyDecorators(
    ApiMatrixError(
      400,
      'The request was invalid (`M_NOT_JSON`, `M_BAD_JSON`, `M_MISSING_PARAM`, `M_INVALID_PARAM`), this medium is not delivered ' +
        'here (`M_THREEPID_MEDIUM_NOT_SUPPORTED`), or the address is already on an account (`M_THREEPID_IN_USE`).',
      invalidAddress,
      ERRORS.invalidClientSecret,
      ERRORS.badJson,
      ERRORS.inUse,
      ERRORS.mediumNotSupported,
    ),
    ApiMatrixError(403, 'The address is not allowed here (`M_THREEPID_DENIED`).', ERRORS.denied),
    ApiMatrixError(
      429,
      'Too many requests from this client, or for this address (RATE_LIMIT_REQUEST_TOKEN), or a repeat of a request whose ' +
        'message is still being sent (`M_LIMIT_EXCEEDED`, with `retry_after_ms`).',
      RATE_LIMITED_EXAMPLE,
      ERRORS.stillSending,
    ),
    ApiMatrixError(500, 'The message could not be sent (`M_UNKNOWN`); nothing is recorded as sent, so the same request can be retried.', notSent),
  );
}

/** Starting the validation of an address: the requestToken endpoints. */
@ApiTags('Account management')
@Controller(CLIENT_V3)
export class ValidationController {
  constructor(private readonly validation: ValidationService) {}

  @Post('account/3pid/email/requestToken')
  @HttpCode(200)
  @Requires3pidChanges('email')
  @ApiOperation({
    operationId: 'requestTokenTo3PIDEmail',
    summary: "Begins the validation process for an email address for association with the user's account.",
    description: `Sends an email with a link that validates the address once the user confirms it. ${CHECK_ORDER}`,
  })
  @ApiBody({
    type: EmailRequestTokenBody,
    examples: { first: { summary: 'A first request for an address', value: { client_secret: EXAMPLE.clientSecret, email: EXAMPLE.email, send_attempt: 1 } } },
  })
  @ApiOkResponse({ type: RequestTokenResponse, description: 'An email was sent to the given address.' })
  @RequestTokenErrors(ERRORS.invalidEmail, ERRORS.notSent)
  requestEmailToken(@Body() body: EmailRequestTokenBody, @ClientAddress() client: string): Promise<RequestTokenResponse> {
    return this.validation.requestEmailToken({ ...tokenRequest(body, client), email: body.email });
  }

  @Post('account/3pid/msisdn/requestToken')
  @HttpCode(200)
  @Requires3pidChanges('msisdn')
  @ApiOperation({
    operationId: 'requestTokenTo3PIDMSISDN',
    summary: "Begins the validation process for a phone number for association with the user's account.",
    description: `Sends an SMS with a code, to be submitted at \`submit_url\`. ${CHECK_ORDER}`,
  })
  @ApiBody({
    type: MsisdnRequestTokenBody,
    examples: {
      first: {
        summary: 'A first request for a number',
        value: { client_secret: EXAMPLE.clientSecret, country: EXAMPLE.country, phone_number: EXAMPLE.phoneNumber, send_attempt: 1 },
      },
    },
  })
  @ApiOkResponse({ type: MsisdnRequestTokenResponse, description: 'An SMS message was sent to the given phone number.' })
  @RequestTokenErrors(ERRORS.invalidPhone, ['M_UNKNOWN', 'The validation SMS could not be sent. Please try again later'])
  async requestMsisdnToken(@Body() body: MsisdnRequestTokenBody, @ClientAddress() client: string): Promise<MsisdnRequestTokenResponse> {
    const result = await this.validation.requestMsisdnToken({ ...tokenRequest(body, client), country: body.country, phoneNumber: body.phone_number });
    return { sid: result.sid, submit_url: result.submitUrl, msisdn: result.msisdn, intl_fmt: result.internationalFormat };
  }
}

function tokenRequest(body: EmailRequestTokenBody | MsisdnRequestTokenBody, client: string): TokenRequest {
  return {
    client,
    clientSecret: body.client_secret,
    sendAttempt: body.send_attempt,
    nextLink: body.next_link,
    idServer: body.id_server,
    idAccessToken: body.id_access_token,
  };
}
