import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MatrixError } from '../../common/errors/matrix-error';
import { ApiMatrixError } from '../../common/http/matrix-error.dto';
import { CLIENT_UNSTABLE } from '../../common/http/matrix-routes';
import { MatrixValidationPipe } from '../../common/http/matrix-validation.pipe';
import { TokenSubmission, ValidationService } from '../application/validation.service';
import { ERRORS, EXAMPLE } from './dto/examples';
import { CLIENT_SECRET, SESSION_ID, SubmitTokenBody, SubmitTokenResponse } from './dto/validation.dto';
import { alreadyValidatedPage, confirmationPage, failurePage, redirect, sendHtml, successPage } from './submit-token.pages';

const INCOMPLETE_LINK = 'this link is incomplete. Please open the whole link from the email.';

/**
 * Where tokens come back: the e-mail link (a page with a confirm button) and JSON submission
 * (the msisdn `submit_url`). Unstable paths, as in Synapse; no access token needed.
 */
@ApiTags('Account management')
@Controller(`${CLIENT_UNSTABLE}/add_threepid`)
export class SubmitTokenController {
  private readonly bodyPipe = new MatrixValidationPipe();

  constructor(private readonly validation: ValidationService) {}

  @Get('email/submit_token')
  @ApiOperation({
    operationId: 'showEmailValidationPage',
    summary: 'The page behind the link in a validation email.',
    description:
      'Shows a confirm button; confirming POSTs to the same URL. Opening the link alone validates nothing. The example ' +
      "is a link of no session: it shows the page saying why it cannot be used (400).",
  })
  @ApiQuery({ name: 'sid', required: true, description: 'The session ID, as in the link.', schema: { type: 'string', example: EXAMPLE.sid } })
  @ApiQuery({ name: 'client_secret', required: true, description: 'The client secret, as in the link.', schema: { type: 'string', example: EXAMPLE.clientSecret } })
  @ApiQuery({ name: 'token', required: true, description: 'The token, as in the link (32 characters).', schema: { type: 'string', example: EXAMPLE.emailToken } })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The confirmation page.' })
  @ApiBadRequestResponse({ description: 'A page saying why the link cannot be used: an unknown session, a wrong token or secret, an expired one.' })
  async showEmailPage(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    const link = linkParameters(query);
    if (!link) return sendHtml(reply, 400, failurePage(INCOMPLETE_LINK));
    await answerWithPage(reply, async () => {
      const session = await this.validation.openSession('email', link.sid, link.clientSecret);
      sendHtml(reply, 200, session.validated ? alreadyValidatedPage(session.address) : confirmationPage(session.address, session.nextLinkHost));
    });
  }

  @Post('email/submit_token')
  @ApiOperation({
    operationId: 'submitEmailToken',
    summary: 'Validates an email address with the token sent to it.',
    description:
      'With a JSON body, answers JSON. The confirmation page posts a form here instead (parameters in the query ' +
      'string) and gets a page, or a 302 to the `next_link` given to requestToken. The example is of no session ' +
      '(`M_NO_VALID_SESSION`); with the `sid` requestToken gave and the `token` of the link, it validates the address.',
  })
  @ApiBody({
    type: SubmitTokenBody,
    examples: { link: { summary: 'The token of the e-mail link', value: { sid: EXAMPLE.sid, client_secret: EXAMPLE.clientSecret, token: EXAMPLE.emailToken } } },
  })
  @ApiOkResponse({ type: SubmitTokenResponse, description: 'The address is validated.' })
  @ApiMatrixError(
    400,
    'Unknown session or another client_secret (`M_NO_VALID_SESSION`), wrong token (`M_TOKEN_INCORRECT`), or expired, or ' +
      'too many wrong tokens (`M_SESSION_EXPIRED`).',
    ERRORS.noValidSession,
    ERRORS.tokenIncorrect,
    ERRORS.sessionExpired,
  )
  async submitEmailToken(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!isFormPost(request)) {
      const body = (await this.bodyPipe.transform(request.body, { type: 'body', metatype: SubmitTokenBody })) as SubmitTokenBody;
      await this.validation.submitToken('email', submission(body));
      return void reply.status(200).send({ success: true });
    }
    const link = linkParameters(request.query as Record<string, unknown>);
    if (!link) return sendHtml(reply, 400, failurePage(INCOMPLETE_LINK));
    await answerWithPage(reply, async () => {
      const { nextLink } = await this.validation.submitToken('email', link);
      if (nextLink) return redirect(reply, nextLink);
      sendHtml(reply, 200, successPage());
    });
  }

  @Post('msisdn/submit_token')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'submitMsisdnToken',
    summary: 'Validates a phone number with the code sent to it by SMS.',
    description:
      'The `submit_url` of msisdn requestToken. The example is of no session (`M_NO_VALID_SESSION`); with the `sid` ' +
      'requestToken gave and the code of the SMS, it validates the number.',
  })
  @ApiBody({
    type: SubmitTokenBody,
    examples: { code: { summary: 'The code of the SMS', value: { sid: EXAMPLE.sid, client_secret: EXAMPLE.clientSecret, token: EXAMPLE.smsCode } } },
  })
  @ApiOkResponse({ type: SubmitTokenResponse, description: 'The phone number is validated.' })
  @ApiMatrixError(
    400,
    'Unknown session or another client_secret (`M_NO_VALID_SESSION`), wrong code (`M_TOKEN_INCORRECT`), or expired, or ' +
      'too many wrong codes (`M_SESSION_EXPIRED`).',
    ERRORS.noValidSession,
    ERRORS.tokenIncorrect,
    ['M_SESSION_EXPIRED', 'Too many incorrect tokens were submitted. Please request a new one'],
  )
  async submitMsisdnToken(@Body() body: SubmitTokenBody): Promise<SubmitTokenResponse> {
    await this.validation.submitToken('msisdn', submission(body));
    return { success: true };
  }
}

function submission(body: SubmitTokenBody): TokenSubmission {
  return { sid: body.sid, clientSecret: body.client_secret, token: body.token };
}

/**
 * The confirmation page's form, which posts nothing, rather than a client posting JSON (with
 * whatever Content-Type: `curl -d` says form-urlencoded too).
 */
function isFormPost(request: FastifyRequest): boolean {
  return request.body === undefined && (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** The three parameters of an e-mail link, each present once; undefined if the link is damaged. */
function linkParameters(query: Record<string, unknown>): TokenSubmission | undefined {
  const { sid, client_secret: clientSecret, token } = query;
  if (typeof sid !== 'string' || typeof clientSecret !== 'string' || typeof token !== 'string') return undefined;
  if (!SESSION_ID.test(sid) || !token || !CLIENT_SECRET.test(clientSecret)) return undefined;
  return { sid, clientSecret, token };
}

/** Matrix errors become a failure page that says why; anything else goes to the exception filter. */
async function answerWithPage(reply: FastifyReply, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    sendHtml(reply, error.status, failurePage(lowerFirst(error.message)));
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
