import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getStorageToken } from '@nestjs/throttler';
import { RateLimiter } from '../common/rate-limiter';
import { ClientRateLimitGuard } from './api/client-rate-limit.guard';
import { FailoverThrottlerStorage } from './infrastructure/failover-throttler.storage';
import { ThrottlerRateLimiter } from './infrastructure/throttler-rate-limiter';
import { RATE_LIMIT_OPTIONS, RateLimitModuleOptions } from './rate-limit.options';
import { RateLimitCounts } from './rate-limit.status';

/**
 * Rate limits for the standalone server, on @nestjs/throttler's storage: RATE_LIMIT_DEFAULT on every
 * request (ClientRateLimitGuard, global), and the RateLimiter port for limits a service decides
 * (requestToken's). Counts live in Redis when configured, shared by every instance.
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitModuleOptions): DynamicModule {
    return {
      module: RateLimitModule,
      global: true,
      providers: [
        { provide: RATE_LIMIT_OPTIONS, useValue: options },
        {
          provide: getStorageToken(),
          useFactory: () =>
            options.redis
              ? FailoverThrottlerStorage.connect(options.redis.url, options.redis.keyPrefix, options.redis.timeoutMs)
              : new FailoverThrottlerStorage(),
        },
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: RateLimiter, useClass: ThrottlerRateLimiter },
        { provide: RateLimitCounts, useExisting: getStorageToken() },
      ],
      exports: [RateLimiter, RateLimitCounts],
    };
  }
}
