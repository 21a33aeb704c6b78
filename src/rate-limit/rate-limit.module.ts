import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { RateLimiter } from '../common/rate-limiter';
import { ClientRateLimitGuard } from './api/client-rate-limit.guard';
import { FailoverThrottlerStorage } from './infrastructure/failover-throttler.storage';
import { ThrottlerRateLimiter } from './infrastructure/throttler-rate-limiter';
import { RateLimitModuleOptions } from './rate-limit.options';
import { RateLimitCounts } from './rate-limit.status';

/** The counts, in their own module so that ThrottlerModule's factory can inject them. */
@Module({})
class RateLimitCountsModule {
  static forRoot(options: RateLimitModuleOptions): DynamicModule {
    return {
      module: RateLimitCountsModule,
      providers: [
        {
          provide: FailoverThrottlerStorage,
          useFactory: () =>
            options.redis
              ? FailoverThrottlerStorage.connect(options.redis.url, options.redis.keyPrefix, options.redis.timeoutMs)
              : new FailoverThrottlerStorage(),
        },
      ],
      exports: [FailoverThrottlerStorage],
    };
  }
}

/**
 * Rate limits for the standalone server, with @nestjs/throttler: RATE_LIMIT_DEFAULT on every
 * request (ClientRateLimitGuard, global), and the RateLimiter port for limits a service decides
 * (requestToken's). Counts live in Redis when configured, shared by every instance.
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitModuleOptions): DynamicModule {
    const counts = RateLimitCountsModule.forRoot(options);
    return {
      module: RateLimitModule,
      global: true,
      imports: [
        counts,
        ThrottlerModule.forRootAsync({
          imports: [counts],
          inject: [FailoverThrottlerStorage],
          useFactory: (storage: FailoverThrottlerStorage) => ({
            throttlers: [{ name: 'default', limit: options.perClient.limit, ttl: options.perClient.windowMs }],
            // X-RateLimit-* on every response would be work on every request for headers nobody reads.
            setHeaders: false,
            storage,
          }),
        }),
      ],
      providers: [
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: RateLimiter, useClass: ThrottlerRateLimiter },
        { provide: RateLimitCounts, useExisting: FailoverThrottlerStorage },
      ],
      exports: [RateLimiter, RateLimitCounts],
    };
  }
}
