import { Inject, Injectable } from '@nestjs/common';
import { getStorageToken, ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitedError } from '../../common/errors/matrix-error';
import { RateLimit, RateLimiter } from '../../common/rate-limiter';
import { sha256Hex } from '../../common/sha256';

/** Counted apart from the per-request limits, even when the keys look alike. */
const THROTTLER_NAME = 'actions';

/**
 * Service-level limits on the throttler's storage, so that they are shared through Redis like the
 * per-request ones. Keys are hashed: they may hold addresses, which have no place in Redis.
 */
@Injectable()
export class ThrottlerRateLimiter implements RateLimiter {
  constructor(@Inject(getStorageToken()) private readonly storage: ThrottlerStorage) {}

  async consume(keys: readonly string[], { limit, windowMs }: RateLimit): Promise<void> {
    let retryAfterMs = 0;
    for (const key of keys) {
      const record = await this.storage.increment(sha256Hex(key), windowMs, limit, windowMs, THROTTLER_NAME);
      if (record.isBlocked) retryAfterMs = Math.max(retryAfterMs, record.timeToBlockExpire * 1000);
    }
    if (retryAfterMs > 0) throw new RateLimitedError(retryAfterMs);
  }
}
