/**
 * Why User-Interactive Authentication refused a request: `wrong_password`; `wrong_user` (credentials
 * of someone other than the logged-in user); `invalid_session` (unknown, expired, or started for
 * another request); `session_in_use` (another request is being served with it); `rate_limited`
 * (too many wrong passwords); `invalid_request` (an unknown stage type, a missing field); `error`
 * (anything else, the database unavailable say).
 */
export type UiaFailure = 'wrong_password' | 'wrong_user' | 'invalid_session' | 'session_in_use' | 'rate_limited' | 'invalid_request' | 'error';

/**
 * Which wrong-password limit refused an attempt: `identifier`, what was typed (429), or `account`,
 * the account's own, silent one (the password is no longer checked).
 */
export type PasswordLimitScope = 'identifier' | 'account';

/**
 * What the accounts feature counts, for an operator's monitoring: never whose. The standalone server
 * counts with Prometheus (METRICS_PORT); without the `metrics` option nothing is counted
 * (NO_AUTH_METRICS). Calls are made on the request's path: an implementation must be quick and must
 * not throw.
 */
export interface AuthMetrics {
  /** A 401 asked for (more) authentication: the flows and a session, no stage failed. */
  uiaChallenged(): void;
  /** A request completed a flow and is authorised. */
  uiaSucceeded(): void;
  /** A request was refused (see UiaFailure); a wrong password's 401 too. */
  uiaFailed(reason: UiaFailure): void;
  /** A wrong-password limit refused an attempt, at login or in UIA. */
  failedPasswordLimitReached(scope: PasswordLimitScope): void;
}
export const AuthMetrics = Symbol('AuthMetrics');

/** Counts nothing: the default, when the host gives no `metrics`. */
export const NO_AUTH_METRICS: AuthMetrics = {
  uiaChallenged: () => undefined,
  uiaSucceeded: () => undefined,
  uiaFailed: () => undefined,
  failedPasswordLimitReached: () => undefined,
};
