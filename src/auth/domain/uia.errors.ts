import { ErrCode, MatrixError } from '../../common/errors/matrix-error';

/** The 401 of User-Interactive Authentication: which flows remain, and why the last stage failed, if it did. */
export class UiaChallenge extends MatrixError {
  constructor(
    readonly challenge: { flows: readonly (readonly string[])[]; session: string; completed?: readonly string[] },
    readonly failure?: MatrixError,
  ) {
    super(401, failure?.errcode ?? '', failure?.message ?? 'Additional authentication is required');
  }

  /** The spec's body: no errcode unless a stage failed (spec: cs-client-auth-uia.md). */
  override toResponseBody(): Record<string, unknown> {
    const { flows, session, completed } = this.challenge;
    return {
      ...(this.failure ? { errcode: this.failure.errcode, error: this.failure.message } : {}),
      ...(completed ? { completed } : {}),
      flows: flows.map((stages) => ({ stages })),
      params: {},
      session,
    };
  }
}

export class UnknownUiaSessionError extends MatrixError {
  constructor() {
    super(400, ErrCode.Unknown, 'Unknown or expired session ID');
  }
}

export class UiaRequestChangedError extends MatrixError {
  constructor() {
    super(403, ErrCode.Forbidden, 'Requested operation has changed during the UI authentication session.');
  }
}

/** Valid credentials, but of someone other than the logged-in user. */
export class UiaWrongUserError extends MatrixError {
  constructor() {
    super(403, ErrCode.Forbidden, 'Invalid auth: the credentials are not those of the logged-in user');
  }
}

/** Another request is being served with this session; the client retries shortly, and learns how that one went. */
export class UiaSessionInUseError extends MatrixError {
  constructor() {
    super(429, ErrCode.LimitExceeded, 'This session is authorising another request. Please try again shortly', { retry_after_ms: 1000 });
  }
}
