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

export class UnknownTokenError extends MatrixError {
  constructor() {
    super(401, ErrCode.UnknownToken, 'Unrecognised access token', { soft_logout: false });
  }
}

/** Too many wrong passwords for one account within the window; retry_after_ms says when the next one counts. */
export class TooManyFailedAttemptsError extends MatrixError {
  constructor(retryAfterMs: number) {
    super(429, ErrCode.LimitExceeded, 'Too many failed attempts. Please try again later', { retry_after_ms: Math.max(1, Math.ceil(retryAfterMs)) });
  }
}
