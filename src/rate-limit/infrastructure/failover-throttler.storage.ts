import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How often a Redis that stopped answering is asked again. */
const PROBE_INTERVAL_MS = 1000;

export type SharedCountsStatus = 'memory' | 'shared' | 'degraded';

/**
 * Rate-limit counts in Redis, shared by every instance; while Redis does not answer (down,
 * unreachable, or silent within its timeout), in this instance's memory, so that requests are
 * still served and still limited (N instances are then at most N times looser, never unlimited).
 * Each outage is logged once, when it starts and when it ends.
 */
export class FailoverThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private readonly local = new ThrottlerStorageService();
  private readonly shared?: ThrottlerStorageRedisService;
  private redisAnswers = true;
  private probe?: NodeJS.Timeout;

  constructor(private readonly redis?: Redis) {
    if (redis) {
      this.shared = new ThrottlerStorageRedisService(redis);
      // Connection errors are reported through the outage log; unhandled, they would end the process.
      redis.on('error', (error: Error) => this.logger.debug({ err: error }, 'Redis connection error'));
    }
  }

  /** Redis, as the rate limits need it: fail fast rather than queue while it is away, reconnect for ever. */
  static connect(url: string, keyPrefix: string, timeoutMs: number): FailoverThrottlerStorage {
    return new FailoverThrottlerStorage(
      new Redis(url, {
        keyPrefix,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
      }),
    );
  }

  get status(): SharedCountsStatus {
    if (!this.redis) return 'memory';
    return this.redisAnswers ? 'shared' : 'degraded';
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (this.shared && this.redisAnswers) {
      try {
        return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.redisStoppedAnswering(error);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    clearInterval(this.probe);
    this.redis?.disconnect();
  }

  private redisStoppedAnswering(error: unknown): void {
    if (!this.redisAnswers) return;
    this.redisAnswers = false;
    this.logger.warn({ err: error }, 'Redis does not answer: rate limits are counted by this instance alone until it does');
    this.probe = setInterval(() => void this.askRedisAgain(), PROBE_INTERVAL_MS).unref();
  }

  private async askRedisAgain(): Promise<void> {
    try {
      await this.redis!.ping();
    } catch {
      // A connection that is open but silent (a network partition) never recovers by itself: start a new one.
      if (this.redis!.status === 'ready') this.redis!.disconnect(true);
      return;
    }
    clearInterval(this.probe);
    this.redisAnswers = true;
    this.logger.log('Redis answers again: rate limits are shared by every instance again');
  }
}
