import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ExpiringCache } from '../../common/expiring-cache';
import { AUTH_DEFAULTS, AUTH_MODULE_OPTIONS, type AuthModuleOptions } from '../auth.options';
import { hashAccessToken } from '../domain/access-token';
import { UnknownTokenError } from '../domain/auth.errors';
import { AccessTokenRepository } from '../domain/ports/access-token.repository';
import { Requester } from '../domain/user';
import { AccessTokenResolver } from './ports/access-token-resolver';

/** Tokens remembered per instance: far more than the users active within a few seconds. */
const MAX_CACHED_TOKENS = 50_000;

/**
 * The access tokens login issued: the default AccessTokenResolver. Every authenticated request
 * presents one, so a token's owner is remembered for `accessTokenCacheTtlMs` (a few seconds): the
 * database is asked once per token per window instead of once per request. A token revoked on this
 * instance is forgotten at once; on another instance it may still be accepted until its entry
 * there expires, which is the bound the README states.
 */
@Injectable()
export class AccessTokenService implements AccessTokenResolver {
  private readonly recent = new ExpiringCache<string, Requester>(MAX_CACHED_TOKENS);
  private readonly cacheTtlMs: number;

  constructor(
    @Inject(AccessTokenRepository) private readonly tokens: AccessTokenRepository,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
  ) {
    this.cacheTtlMs = options.accessTokenCacheTtlMs ?? AUTH_DEFAULTS.accessTokenCacheTtlMs;
  }

  /**
   * The owner of a presented token; undefined for a token never issued or revoked. Remembered by
   * the token itself (it is in this process's memory with every request anyway), so that a
   * remembered token costs no hashing.
   */
  async resolve(accessToken: string): Promise<Requester | undefined> {
    const now = this.clock.now();
    const remembered = this.recent.get(accessToken, now);
    if (remembered) return remembered;
    const requester = await this.tokens.findRequester(hashAccessToken(accessToken));
    if (requester && this.cacheTtlMs > 0) this.recent.set(accessToken, requester, now + this.cacheTtlMs);
    return requester;
  }

  /** The owner of a presented token; throws UnknownTokenError for a token never issued or revoked. */
  async authenticate(accessToken: string): Promise<Requester> {
    const requester = await this.resolve(accessToken);
    if (!requester) throw new UnknownTokenError();
    return requester;
  }

  /** The device's tokens were replaced or revoked: this instance stops accepting them at once. */
  forgetDevice(userId: string, deviceId: string): void {
    this.recent.deleteWhere((requester) => requester.userId === userId && requester.deviceId === deviceId);
  }
}
