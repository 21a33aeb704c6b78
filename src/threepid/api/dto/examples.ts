import type { MatrixErrorExample } from '../../../common/http/matrix-error.dto';

/**
 * The values every example in the API documentation uses, so that they go together as one client's
 * would: requestToken's `client_secret`, its answer's `sid`, and the same two at submit_token and
 * /3pid/add (Swagger UI's *Try it out* sends them as they are).
 */
export const EXAMPLE = {
  clientSecret: 'monkeys_are_GREAT',
  sid: '4bQ9d3Jx0sV1mLr8aT2yK7Pe',
  /** As the e-mail link carries it: 32 URL-safe characters. */
  emailToken: 'fMcG2nQkRr8ZyT4wXuV0aLp1bHs7dJ6e',
  /** As the SMS carries it: six digits. */
  smsCode: '123456',
  email: 'alice@example.org',
  country: 'GB',
  phoneNumber: '07700900001',
  msisdn: '447700900001',
  idServer: 'id.example.org',
  idAccessToken: 'abc123_OpaqueString',
} as const;

/** The errors of the 3PID operations, each as it is answered. */
export const ERRORS = {
  denied: ['M_THREEPID_DENIED', 'This email address is not allowed on this server'],
  mediumNotSupported: ['M_THREEPID_MEDIUM_NOT_SUPPORTED', 'Adding an email address is not supported on this server'],
  inUse: ['M_THREEPID_IN_USE', 'Third-party identifier already in use'],
  invalidEmail: ['M_INVALID_PARAM', 'Unable to parse email address'],
  invalidPhone: ['M_INVALID_PARAM', 'Unable to parse phone number'],
  invalidClientSecret: ['M_INVALID_PARAM', 'client_secret must be 1 to 255 characters from [0-9a-zA-Z.=_-]'],
  invalidMedium: ['M_INVALID_PARAM', 'medium must be one of email, msisdn'],
  missingParam: ['M_MISSING_PARAM', 'Missing parameter: sid'],
  badJson: ['M_BAD_JSON', 'send_attempt must be an integer'],
  notJson: ['M_NOT_JSON', 'Content not JSON.'],
  noValidSession: ['M_NO_VALID_SESSION', 'Unknown validation session, or the client_secret does not match it'],
  tokenIncorrect: ['M_TOKEN_INCORRECT', 'The token is incorrect'],
  sessionExpired: ['M_SESSION_EXPIRED', 'This token has expired. Please request a new one'],
  authFailed: ['M_THREEPID_AUTH_FAILED', 'This third-party identifier has not been validated yet'],
  notTrusted: ['M_SERVER_NOT_TRUSTED', 'This homeserver does not contact the identity server id.example.org'],
  unreachable: ['M_UNKNOWN', 'The identity server id.example.org could not be reached'],
  timeout: ['M_UNKNOWN', 'The identity server id.example.org did not answer in time'],
  notSent: ['M_UNKNOWN', 'The validation email could not be sent. Please try again later'],
  stillSending: ['M_LIMIT_EXCEEDED', 'The validation message for this request is still being sent. Please try again shortly', { retry_after_ms: 1000 }],
} satisfies Record<string, MatrixErrorExample>;
