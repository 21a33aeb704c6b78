import type { Medium } from '../../domain/medium';

/** The calls this homeserver makes to identity servers, one per IdentityServerGateway method. */
export type IdentityServerOperation = 'bind' | 'unbind' | 'get_validated_3pid';

/**
 * How a call to an identity server ended: `success`, `no_support` (an unbind it does not do),
 * `refused` (its own 4xx, passed on to the client), `unreachable`, `timeout`, `failed` (a 5xx, a
 * redirect), `invalid_answer` (one that cannot be used), `not_trusted` (its address turned out not
 * to be public), or `error` (anything else).
 */
export type IdentityServerOutcome =
  | 'success'
  | 'no_support'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'failed'
  | 'invalid_answer'
  | 'not_trusted'
  | 'error';

/**
 * What the 3PID feature counts, for an operator's monitoring: never who or which address, only how
 * many and by which medium. The standalone server counts with Prometheus (METRICS_PORT); without
 * the `metrics` option nothing is counted (NO_THREE_PID_METRICS). Calls are made on the request's
 * path, so an implementation must be quick and must not throw.
 */
export interface ThreePidMetrics {
  /** A validation e-mail or SMS went out (requestToken). */
  validationMessageSent(medium: Medium): void;
  /** A validation e-mail or SMS could not be sent: the client got 500, and nothing counts as sent. */
  validationMessageFailed(medium: Medium): void;
  /** requestToken started a new validation session (a new `sid`), and its message went out. */
  validationSessionStarted(medium: Medium): void;
  /** A token was submitted that validated its session. */
  validationSessionValidated(medium: Medium): void;
  /** An address was added to an account. */
  threePidAdded(medium: Medium): void;
  /** An address was removed from an account. */
  threePidRemoved(medium: Medium): void;
  /** A call to an identity server ended, after `seconds`. */
  identityServerCall(operation: IdentityServerOperation, outcome: IdentityServerOutcome, seconds: number): void;
}
export const ThreePidMetrics = Symbol('ThreePidMetrics');

/** Counts nothing: the default, when the host gives no `metrics`. */
export const NO_THREE_PID_METRICS: ThreePidMetrics = {
  validationMessageSent: () => undefined,
  validationMessageFailed: () => undefined,
  validationSessionStarted: () => undefined,
  validationSessionValidated: () => undefined,
  threePidAdded: () => undefined,
  threePidRemoved: () => undefined,
  identityServerCall: () => undefined,
};
