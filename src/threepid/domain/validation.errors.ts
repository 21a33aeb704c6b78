import { ErrCode, InvalidParamError, MatrixError } from '../../common/errors/matrix-error';
import { Medium } from './medium';

export class InvalidEmailError extends InvalidParamError {
  constructor(detail = 'Unable to parse email address') {
    super(detail);
  }
}

export class InvalidPhoneNumberError extends InvalidParamError {
  constructor(detail = 'Unable to parse phone number') {
    super(detail);
  }
}

export class InvalidNextLinkError extends InvalidParamError {
  constructor() {
    super("'next_link' must be an http(s) URL on a host this server allows");
  }
}

export class ThreePidDeniedError extends MatrixError {
  constructor(medium: Medium) {
    super(
      403,
      ErrCode.ThreePidDenied,
      medium === 'email' ? 'This email address is not allowed on this server' : 'This phone number is not allowed on this server',
    );
  }
}

/** No session has this sid and client_secret (or it belongs to another medium). Says nothing more. */
export class NoValidSessionError extends MatrixError {
  constructor() {
    super(400, ErrCode.NoValidSession, 'Unknown validation session, or the client_secret does not match it');
  }
}

export class TokenIncorrectError extends MatrixError {
  constructor() {
    super(400, ErrCode.TokenIncorrect, 'The token is incorrect');
  }
}

export type SessionExpiry = 'session' | 'token' | 'too-many-attempts';

const EXPIRY_MESSAGES: Record<SessionExpiry, string> = {
  session: 'This validation session has expired. Please start again',
  token: 'This token has expired. Please request a new one',
  'too-many-attempts': 'Too many incorrect tokens were submitted. Please request a new one',
};

export class SessionExpiredError extends MatrixError {
  constructor(readonly reason: SessionExpiry) {
    super(400, ErrCode.SessionExpired, EXPIRY_MESSAGES[reason]);
  }
}

export type AuthFailure = 'unknown' | 'not-validated' | 'expired' | 'used' | 'not-confirmed';

const AUTH_FAILURE_MESSAGES: Record<AuthFailure, string> = {
  unknown: 'No validation session matches this sid and client_secret',
  'not-validated': 'This third-party identifier has not been validated yet',
  expired: 'This validation session has expired. Please validate the address again',
  used: 'This validation session has already been used. Please validate the address again',
  'not-confirmed': 'The identity server did not confirm that this session validated a third-party identifier',
};

/** A validation session cannot vouch for an address being added. */
export class ThreePidAuthFailedError extends MatrixError {
  /** 400 at /3pid/add, as in Synapse; the deprecated POST /account/3pid answers 403, as its spec says. */
  constructor(
    readonly reason: AuthFailure,
    status: 400 | 403 = 400,
  ) {
    super(status, ErrCode.ThreePidAuthFailed, AUTH_FAILURE_MESSAGES[reason]);
  }
}

/** Sending the e-mail or SMS failed; nothing was recorded as sent. */
export class DeliveryFailedError extends MatrixError {
  constructor(medium: Medium) {
    super(
      500,
      ErrCode.Unknown,
      medium === 'email'
        ? 'The validation email could not be sent. Please try again later'
        : 'The validation SMS could not be sent. Please try again later',
    );
  }
}

/** A message is still being sent: of the same request, or the one whose token validated the session. The client retries shortly. */
export class DeliveryInProgressError extends MatrixError {
  constructor(message = 'The validation message for this request is still being sent. Please try again shortly') {
    super(429, ErrCode.LimitExceeded, message, { retry_after_ms: 1000 });
  }
}
