/** N hits per window. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/**
 * Counts actions against limits shared by every instance (Redis), for limits decided inside a
 * service rather than per HTTP request: requestToken's per-address count, say. Optional: a host
 * that limits elsewhere provides none.
 */
export interface RateLimiter {
  /**
   * Counts one hit on every key; throws RateLimitedError (429) if any of them is over `limit`,
   * with the longest wait among them. Keys are opaque: callers hash what is personal.
   */
  consume(keys: readonly string[], limit: RateLimit): Promise<void>;
}
export const RateLimiter = Symbol('RateLimiter');
