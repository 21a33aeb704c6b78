import { ThrottlerStorageService } from '@nestjs/throttler';
import { RateLimitMetrics } from '../../../src/rate-limit/rate-limit.metrics';
import { ThrottlerRateLimiter } from '../../../src/rate-limit/infrastructure/throttler-rate-limiter';

class RecordingRateLimitMetrics implements RateLimitMetrics {
  readonly refusals: string[] = [];
  refused(limit: string): void {
    this.refusals.push(limit);
  }
}

describe(ThrottlerRateLimiter.name, () => {
  const limit = { limit: 1, windowMs: 60_000 };
  let storage: ThrottlerStorageService;
  let metrics: RecordingRateLimitMetrics;
  let limiter: ThrottlerRateLimiter;
  beforeEach(() => {
    storage = new ThrottlerStorageService();
    metrics = new RecordingRateLimitMetrics();
    limiter = new ThrottlerRateLimiter(storage, metrics);
  });
  afterEach(() => storage.onApplicationShutdown());

  const counts = (client: string, address: string) => [
    { limit: 'per_client', key: `client:${client}` },
    { limit: 'per_address', key: `address:${address}` },
  ];

  it('refuses past the limit with 429 and the longest wait, and counts the refusal under each limit the request is over', async () => {
    await limiter.consume(counts('203.0.113.7', 'alice@example.org'), limit);
    await expect(limiter.consume(counts('203.0.113.7', 'alice@example.org'), limit)).rejects.toMatchObject({
      status: 429,
      extra: { retry_after_ms: expect.any(Number) },
    });
    await expect(limiter.consume(counts('198.51.100.1', 'alice@example.org'), limit)).rejects.toMatchObject({ status: 429 });
    await expect(limiter.consume(counts('203.0.113.7', 'bob@example.org'), limit)).rejects.toMatchObject({ status: 429 });
    expect(metrics.refusals).toEqual(['per_client', 'per_address', 'per_address', 'per_client']);
  });

  it('counts nothing for requests within the limits, and stores no key as given (addresses are hashed)', async () => {
    await limiter.consume(counts('203.0.113.7', 'alice@example.org'), limit);
    await limiter.consume(counts('198.51.100.1', 'bob@example.org'), limit);
    expect(metrics.refusals).toEqual([]);
    expect([...storage.storage.keys()].join(' ')).not.toMatch(/example\.org|203\.0|198\.51/);
  });

  it('works without metrics', async () => {
    const unmeasured = new ThrottlerRateLimiter(storage);
    await unmeasured.consume(counts('203.0.113.7', 'alice@example.org'), limit);
    await expect(unmeasured.consume(counts('203.0.113.7', 'alice@example.org'), limit)).rejects.toMatchObject({ status: 429 });
  });
});
