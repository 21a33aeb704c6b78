import { ErrCode, MatrixError } from '../../common/errors/matrix-error';

export class InvalidUsernameError extends MatrixError {
  constructor(message: string) {
    super(400, ErrCode.InvalidUsername, message);
  }
}

export class UserIdTakenError extends MatrixError {
  constructor(userId: string) {
    super(400, ErrCode.UserInUse, `User ID ${userId} is already taken`);
  }
}

/** Same answer for an unknown user and a wrong password, so that logins do not reveal accounts. */
export class LoginFailedError extends MatrixError {
  constructor() {
    super(403, ErrCode.Forbidden, 'Invalid username or password');
  }
}

export class UnsupportedLoginError extends MatrixError {
  constructor(message: string) {
    super(400, ErrCode.Unknown, message);
  }
}

export class MissingTokenError extends MatrixError {
  constructor(message = 'Missing access token') {
    super(401, ErrCode.MissingToken, message);
  }
}

/** A token never issued, or revoked (logout): the session is over, so `soft_logout: false`. */
export class UnknownTokenError extends MatrixError {
  constructor() {
    super(401, ErrCode.UnknownToken, 'Unrecognised access token', { soft_logout: false });
  }
}

/**
 * A token past its lifetime (ACCESS_TOKEN_LIFETIME). `soft_logout: true`, as the spec prefers for
 * expired tokens (and Synapse answers): the client may keep its state and log in again with its
 * device ID.
 */
export class ExpiredTokenError extends MatrixError {
  constructor() {
    super(401, ErrCode.UnknownToken, 'Access token has expired', { soft_logout: true });
  }
}

/** Too many wrong passwords for one account within the window; retry_after_ms says when the next one counts. */
export class TooManyFailedAttemptsError extends MatrixError {
  constructor(retryAfterMs: number) {
    super(429, ErrCode.LimitExceeded, 'Too many failed attempts. Please try again later', { retry_after_ms: Math.max(1, Math.ceil(retryAfterMs)) });
  }
}

/** The administration API, for a user who is not a server administrator (Synapse's words). */
export class NotServerAdminError extends MatrixError {
  constructor() {
    super(403, ErrCode.Forbidden, 'You are not a server admin');
  }
}
