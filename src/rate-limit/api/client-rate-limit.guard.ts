import { ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, normalizeIp, ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { presentedAccessToken } from '../../auth/api/access-token.guard';
import { requiresAccessToken } from '../../auth/api/authenticated.decorator';
import { AccessTokenResolver } from '../../auth/application/ports/access-token-resolver';
import type { Requester } from '../../auth/domain/user';
import { RateLimitedError } from '../../common/errors/matrix-error';
import { sha256Hex } from '../../common/sha256';
import { RateLimitMetrics } from '../rate-limit.metrics';

type LimitedRequest = FastifyRequest & { requester?: Requester };

/** RATE_LIMIT_DEFAULT's name in the metrics. */
const DEFAULT_LIMIT = 'default';

/**
 * RATE_LIMIT_DEFAULT, before anything else runs: per user on endpoints that need an access token,
 * per client IP on the others (the socket's peer, or what TRUSTED_PROXIES say; IPv6 per /64). One
 * count per client across every endpoint. A valid token found here is kept on the request, so that
 * the access-token guard does not look it up again; an invalid one is counted by IP, and refused
 * later by that guard.
 */
@Injectable()
export class ClientRateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Optional() @Inject(AccessTokenResolver) private readonly tokens?: AccessTokenResolver,
    @Optional() @Inject(RateLimitMetrics) private readonly metrics?: RateLimitMetrics,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(request: LimitedRequest, context?: ExecutionContext): Promise<string> {
    if (context && this.tokens && requiresAccessToken(this.reflector, context)) {
      const requester = await this.identify(request);
      if (requester) return `user:${requester.userId}`;
    }
    return `ip:${normalizeIp(request.ip)}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return sha256Hex(`${throttlerName}:${tracker}`);
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    this.metrics?.refused(DEFAULT_LIMIT);
    throw new RateLimitedError(detail.timeToBlockExpire * 1000);
  }

  private async identify(request: LimitedRequest): Promise<Requester | undefined> {
    try {
      request.requester = await this.tokens!.resolve(presentedAccessToken(request));
      return request.requester;
    } catch {
      return undefined; // no token, or one sent two ways: the access-token guard answers that
    }
  }
}
