import type { UserIdentifier } from '../user-identifiers';

/** The fields of an `m.login.password` login or UIA stage, the deprecated top-level ones included. */
export interface PasswordCredentials {
  identifier?: UserIdentifier;
  /** Deprecated: the user ID or localpart, for clients older than `identifier`. */
  user?: string;
  /** Deprecated: a 3PID, for clients older than `identifier`. */
  medium?: string;
  address?: string;
  password?: string;
}

/**
 * Checks the password of User-Interactive Authentication's `m.login.password` stage. AuthModule's
 * PasswordAuthenticator is the default; a host homeserver with its own accounts passes its own to
 * AuthGuardsModule instead. UIA itself refuses credentials naming anyone but the logged-in user
 * before their password is checked.
 */
export interface PasswordVerifier {
  /**
   * The user ID the credentials name (`identifier`, or the deprecated `user` or `medium` and
   * `address`), or undefined when they name nobody; no password is checked. A MatrixError (400)
   * for credentials that are malformed.
   */
  identify(credentials: PasswordCredentials): Promise<string | undefined>;
  /**
   * Resolves when `password` is the user's. Throws LoginFailedError when it is not (the client gets
   * the 401 again, with M_FORBIDDEN), or another MatrixError to end the exchange (a 429 after too
   * many wrong ones, say).
   */
  verify(userId: string, password: string): Promise<void>;
}
export const PasswordVerifier = Symbol('PasswordVerifier');
