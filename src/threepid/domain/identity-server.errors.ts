import { ErrCode, InvalidParamError, MatrixError } from '../../common/errors/matrix-error';

/** An `id_server` that is not a host name or IP literal with an optional port. */
export class InvalidIdServerError extends InvalidParamError {
  constructor() {
    super('id_server must be a host name or IP literal with an optional port, and nothing else');
  }
}

/** This homeserver does not contact that identity server: not on ID_SERVER_ALLOWLIST, or not a public address. */
export class IdServerNotTrustedError extends MatrixError {
  constructor(idServer: { toString(): string }) {
    super(400, ErrCode.ServerNotTrusted, `This homeserver does not contact the identity server ${idServer}`);
  }
}

/**
 * The identity server answered with a client error: its status and Matrix error reach the client,
 * as the spec asks ("Homeservers should simply proxy any errors received by the identity server").
 */
export class IdentityServerRefusedError extends MatrixError {
  constructor(status: number, errcode: string, message: string) {
    super(status, errcode, message);
  }
}

export type IdentityServerFailure = 'unreachable' | 'timeout' | 'failed' | 'invalid-answer';

/** The identity server could not be used: 504 if it did not answer in time, 502 otherwise. */
export class IdentityServerUnavailableError extends MatrixError {
  constructor(
    readonly failure: IdentityServerFailure,
    idServer: { toString(): string },
    detail?: string,
  ) {
    super(failure === 'timeout' ? 504 : 502, ErrCode.Unknown, describe(failure, String(idServer), detail));
  }
}

function describe(failure: IdentityServerFailure, idServer: string, detail: string | undefined): string {
  switch (failure) {
    case 'unreachable':
      return `The identity server ${idServer} could not be reached`;
    case 'timeout':
      return `The identity server ${idServer} did not answer in time`;
    case 'failed':
      return `The identity server ${idServer} failed${detail ? ` (${detail})` : ''}`;
    case 'invalid-answer':
      return `The identity server ${idServer} gave an answer this homeserver cannot use${detail ? ` (${detail})` : ''}`;
  }
}
