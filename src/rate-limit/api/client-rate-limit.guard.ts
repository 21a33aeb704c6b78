import { CanActivate, ExecutionContext, Inject, Injectable, Optional, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getStorageToken, normalizeIp } from '@nestjs/throttler';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { presentedAccessToken } from '../../auth/api/access-token.guard';
import { requiresAccessToken } from '../../auth/api/authenticated.decorator';
import { AccessTokenResolver } from '../../auth/application/ports/access-token-resolver';
import type { Requester } from '../../auth/domain/user';
import { RateLimitedError } from '../../common/errors/matrix-error';
import { sha256Hex } from '../../common/sha256';
import { RateLimitMetrics } from '../rate-limit.metrics';
import { RATE_LIMIT_OPTIONS } from '../rate-limit.options';
import type { RateLimitModuleOptions } from '../rate-limit.options';

type LimitedRequest = FastifyRequest & { requester?: Requester };

/** RATE_LIMIT_DEFAULT's name in the counts (Redis keys) and in the metrics. */
const DEFAULT_LIMIT = 'default';

/** Routes RATE_LIMIT_DEFAULT does not count: the health check, which load balancers poll. */
export const NotRateLimited = Reflector.createDecorator<true>();

/** How a route is counted, read from its decorators once. */
type Counting = 'per-user' | 'per-ip' | 'not-counted';

/**
 * RATE_LIMIT_DEFAULT, before anything else runs: per user on endpoints that need an access token,
 * per client IP on the others (the socket's peer, or what TRUSTED_PROXIES say; IPv6 per /64). One
 * count per client across every endpoint, on @nestjs/throttler's storage (Redis when shared). A
 * valid token found here is kept on the request, so that the access-token guard does not look it
 * up again; an invalid one is counted by IP, and refused later by that guard.
 *
 * Not ThrottlerGuard: for one fixed limit, its per-request work (six decorator reads, a handful of
 * awaits) cost 9 µs of the 85 that GET /account/3pid took on SQLite.
 */
@Injectable()
export class ClientRateLimitGuard implements CanActivate {
  private readonly countings = new WeakMap<Type, WeakMap<Function, Counting>>();

  constructor(
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: RateLimitModuleOptions,
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
    private readonly reflector: Reflector,
    @Optional() @Inject(AccessTokenResolver) private readonly tokens?: AccessTokenResolver,
    @Optional() @Inject(RateLimitMetrics) private readonly metrics?: RateLimitMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const counting = this.countingOf(context);
    if (counting === 'not-counted') return true;
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    const requester = counting === 'per-user' ? await this.identify(request) : undefined;
    const tracker = requester ? `user:${requester.userId}` : `ip:${normalizeIp(request.ip)}`;
    const { limit, windowMs } = this.options.perClient;
    const record = await this.storage.increment(sha256Hex(`${DEFAULT_LIMIT}:${tracker}`), windowMs, limit, windowMs, DEFAULT_LIMIT);
    if (record.isBlocked) {
      this.metrics?.refused(DEFAULT_LIMIT);
      throw new RateLimitedError(record.timeToBlockExpire * 1000);
    }
    return true;
  }

  private countingOf(context: ExecutionContext): Counting {
    const [controller, handler] = [context.getClass(), context.getHandler()];
    let handlers = this.countings.get(controller);
    if (!handlers) this.countings.set(controller, (handlers = new WeakMap()));
    let counting = handlers.get(handler);
    if (!counting) {
      counting = this.reflector.getAllAndOverride(NotRateLimited, [handler, controller])
        ? 'not-counted'
        : this.tokens && requiresAccessToken(this.reflector, context)
          ? 'per-user'
          : 'per-ip';
      handlers.set(handler, counting);
    }
    return counting;
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
