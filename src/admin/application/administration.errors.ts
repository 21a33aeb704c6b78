import { ErrCode, MatrixError } from '../../common/errors/matrix-error';

/** Synapse's answer for a user the admin API does not know. */
export class NoSuchUserError extends MatrixError {
  constructor(readonly user: string) {
    super(404, ErrCode.NotFound, 'User not found');
  }
}

/** Synapse's answer for a user ID of another server. */
export class NotLocalUserError extends MatrixError {
  constructor() {
    super(400, ErrCode.InvalidParam, 'Can only look up local users');
  }
}
