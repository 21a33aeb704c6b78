import type { Medium } from '../medium';

/** An address someone asks to add: to `userId`'s account, or, before anyone logged in (requestToken), to any. */
export interface ThreePidCandidate {
  medium: Medium;
  /** Canonical (see three-pid-address.ts). */
  address: string;
  /** Undefined at requestToken, which needs no access token: the question is then whether anyone may add it. */
  userId?: string;
}

/**
 * Who may add and remove which address. Asked by requestToken (before anything is sent), by every
 * add (/3pid/add and the deprecated POST) and by /3pid/delete, for addresses on the caller's own
 * account only. The default is THREEPID_ALLOWLIST (the module's `allowlist`); a host's own rules
 * replace it. A MatrixError thrown is the answer instead of the usual refusal.
 */
export interface ThreePidPolicy {
  /** False: 403 M_THREEPID_DENIED. */
  mayAdd(candidate: ThreePidCandidate): boolean | Promise<boolean>;
  /** False: 403 M_FORBIDDEN, and the address stays, bound where it was. */
  mayRemove(threePid: Required<ThreePidCandidate>): boolean | Promise<boolean>;
}
export const ThreePidPolicy = Symbol('ThreePidPolicy');
