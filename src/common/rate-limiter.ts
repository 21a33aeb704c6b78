/** N hits per window. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/**
 * One count an action is held to: `key` is whose count it is (opaque: the limiter hashes it, since
 * it may hold an address), `limit` names the limit for monitoring (`request_token_address`), never
 * anything personal.
 */
export interface RateLimitCount {
  limit: string;
  key: string;
}

/**
 * Counts actions against limits shared by every instance (Redis), for limits decided inside a
 * service rather than per HTTP request: requestToken's per-address count, say. Optional: a host
 * that limits elsewhere provides none.
 */
export interface RateLimiter {
  /**
   * Counts one hit on every key; throws RateLimitedError (429) if any of them is over `limit`,
   * with the longest wait among them.
   */
  consume(counts: readonly RateLimitCount[], limit: RateLimit): Promise<void>;
}
export const RateLimiter = Symbol('RateLimiter');
