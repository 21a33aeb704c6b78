/** Error codes this server sends. @see spec: text/cs-api-standards-errors-ratelimits.md */
export const ErrCode = {
  BadJson: 'M_BAD_JSON',
  Forbidden: 'M_FORBIDDEN',
  InvalidParam: 'M_INVALID_PARAM',
  InvalidUsername: 'M_INVALID_USERNAME',
  LimitExceeded: 'M_LIMIT_EXCEEDED',
  MissingParam: 'M_MISSING_PARAM',
  MissingToken: 'M_MISSING_TOKEN',
  NoValidSession: 'M_NO_VALID_SESSION',
  NotFound: 'M_NOT_FOUND',
  NotJson: 'M_NOT_JSON',
  ServerNotTrusted: 'M_SERVER_NOT_TRUSTED',
  SessionExpired: 'M_SESSION_EXPIRED',
  ThreePidAuthFailed: 'M_THREEPID_AUTH_FAILED',
  ThreePidDenied: 'M_THREEPID_DENIED',
  ThreePidInUse: 'M_THREEPID_IN_USE',
  ThreePidMediumNotSupported: 'M_THREEPID_MEDIUM_NOT_SUPPORTED',
  TokenIncorrect: 'M_TOKEN_INCORRECT',
  TooLarge: 'M_TOO_LARGE',
  Unknown: 'M_UNKNOWN',
  UnknownToken: 'M_UNKNOWN_TOKEN',
  Unrecognized: 'M_UNRECOGNIZED',
  UserInUse: 'M_USER_IN_USE',
} as const;
export type ErrCode = (typeof ErrCode)[keyof typeof ErrCode];

/**
 * The one error type that reaches clients: an HTTP status, a Matrix errcode, a human-readable
 * message and any extra fields the errcode defines. Anything else becomes 500 M_UNKNOWN.
 */
export class MatrixError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toResponseBody(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export class NotJsonError extends MatrixError {
  constructor() {
    super(400, ErrCode.NotJson, 'Content not JSON.');
  }
}

export class BadJsonError extends MatrixError {
  constructor(message = 'Content must be a JSON object.') {
    super(400, ErrCode.BadJson, message);
  }
}

export class MissingParamError extends MatrixError {
  constructor(message: string) {
    super(400, ErrCode.MissingParam, message);
  }
}

export class InvalidParamError extends MatrixError {
  constructor(message: string) {
    super(400, ErrCode.InvalidParam, message);
  }
}

export class UnrecognizedRequestError extends MatrixError {
  constructor(status: 404 | 405 = 404) {
    super(status, ErrCode.Unrecognized, 'Unrecognized request');
  }
}

export class TooLargeError extends MatrixError {
  constructor() {
    super(413, ErrCode.TooLarge, 'Request body is too large');
  }
}

export class InternalServerError extends MatrixError {
  constructor() {
    super(500, ErrCode.Unknown, 'Internal server error');
  }
}

/**
 * A rate limit refused the request; `retry_after_ms` says when it would be let through (and the
 * exception filter adds `Retry-After` in whole seconds). @see spec: text/cs-api-standards-errors-ratelimits.md
 */
export class RateLimitedError extends MatrixError {
  constructor(retryAfterMs: number, message = 'Too many requests. Please try again later') {
    super(429, ErrCode.LimitExceeded, message, { retry_after_ms: Math.max(1, Math.ceil(retryAfterMs)) });
  }
}
