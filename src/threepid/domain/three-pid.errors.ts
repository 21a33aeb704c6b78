import { ErrCode, MatrixError } from '../../common/errors/matrix-error';
import { Medium } from './medium';

export class ThreePidInUseError extends MatrixError {
  constructor(message = 'Third-party identifier already in use') {
    super(400, ErrCode.ThreePidInUse, message);
  }
}

/** Adding an address the caller already has; nothing changes. */
export class ThreePidAlreadyOnAccountError extends ThreePidInUseError {
  constructor() {
    super('This third-party identifier is already on your account');
  }
}

export class ThreePidChangesDisabledError extends MatrixError {
  constructor() {
    super(403, ErrCode.Forbidden, '3PID changes are disabled on this server');
  }
}

export class MediumNotSupportedError extends MatrixError {
  constructor(medium: Medium) {
    super(
      400,
      ErrCode.ThreePidMediumNotSupported,
      medium === 'email' ? 'Adding an email address is not supported on this server' : 'Adding a phone number is not supported on this server',
    );
  }
}

/** The ThreePidPolicy keeps this address on the caller's account. */
export class ThreePidRemovalDeniedError extends MatrixError {
  constructor() {
    super(403, ErrCode.Forbidden, 'This third-party identifier may not be removed from your account');
  }
}

/** An operator named an address that is not on the user's account. */
export class ThreePidNotOnAccountError extends MatrixError {
  constructor() {
    super(404, ErrCode.NotFound, 'This third-party identifier is not on the account');
  }
}
