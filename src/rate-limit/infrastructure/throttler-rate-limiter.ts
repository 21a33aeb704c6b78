import { Inject, Injectable, Optional } from '@nestjs/common';
import { getStorageToken, ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitedError } from '../../common/errors/matrix-error';
import { RateLimit, RateLimitCount, RateLimiter } from '../../common/rate-limiter';
import { sha256Hex } from '../../common/sha256';
import { RateLimitMetrics } from '../rate-limit.metrics';

/** Counted apart from the per-request limits, even when the keys look alike. */
const THROTTLER_NAME = 'actions';

/**
 * Service-level limits on the throttler's storage, so that they are shared through Redis like the
 * per-request ones. Keys are hashed: they may hold addresses, which have no place in Redis.
 */
@Injectable()
export class ThrottlerRateLimiter implements RateLimiter {
  constructor(
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
    @Optional() @Inject(RateLimitMetrics) private readonly metrics?: RateLimitMetrics,
  ) {}

  /** Every count is incremented, those past the limit too, so that each limit sees every request. */
  async consume(counts: readonly RateLimitCount[], { limit, windowMs }: RateLimit): Promise<void> {
    let retryAfterMs = 0;
    for (const count of counts) {
      const record = await this.storage.increment(sha256Hex(count.key), windowMs, limit, windowMs, THROTTLER_NAME);
      if (record.isBlocked) {
        retryAfterMs = Math.max(retryAfterMs, record.timeToBlockExpire * 1000);
        this.metrics?.refused(count.limit);
      }
    }
    if (retryAfterMs > 0) throw new RateLimitedError(retryAfterMs);
  }
}
