import type { RateLimit } from '../common/rate-limiter';

/** How requests are limited, and where the counts live. */
export interface RateLimitModuleOptions {
  /** Requests per user on authenticated endpoints, per client IP on the others. */
  perClient: RateLimit;
  /** Counts shared by every instance; without it each instance counts alone, in memory. */
  redis?: {
    url: string;
    /** Put before every key, so that deployments can share one Redis. */
    keyPrefix: string;
    /** A command taking longer means Redis is not answering: the instance counts alone until it does. */
    timeoutMs: number;
  };
}
export const RATE_LIMIT_OPTIONS = Symbol('RateLimitModuleOptions');
