import { ErrCode, MatrixError } from '../../common/errors/matrix-error';

export class ThreePidInUseError extends MatrixError {
  constructor() {
    super(400, ErrCode.ThreePidInUse, 'Third-party identifier already in use');
  }
}
