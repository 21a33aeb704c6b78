import { RateLimitedError } from '../../src/common/errors/matrix-error';
import { RateLimit, RateLimitCount, RateLimiter } from '../../src/common/rate-limiter';

/** Counts hits per key in memory, as the throttler storage does within one window; records every call. */
export class CountingRateLimiter implements RateLimiter {
  readonly calls: { counts: readonly RateLimitCount[]; limit: RateLimit }[] = [];
  private readonly hits = new Map<string, number>();

  async consume(counts: readonly RateLimitCount[], limit: RateLimit): Promise<void> {
    this.calls.push({ counts, limit });
    let over = false;
    for (const { key } of counts) {
      const hits = (this.hits.get(key) ?? 0) + 1;
      this.hits.set(key, hits);
      over ||= hits > limit.limit;
    }
    if (over) throw new RateLimitedError(limit.windowMs);
  }
}
