import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ExpiringCache } from '../../common/expiring-cache';
import { AUTH_DEFAULTS, AUTH_MODULE_OPTIONS, type AuthModuleOptions } from '../auth.options';
import { hashAccessToken } from '../domain/access-token';
import { ExpiredTokenError, UnknownTokenError } from '../domain/auth.errors';
import { AccessTokenRepository, StoredAccessToken } from '../domain/ports/access-token.repository';
import { Requester } from '../domain/user';
import { AccessTokenResolver } from './ports/access-token-resolver';

/** Tokens remembered per instance: far more than the users active within a few seconds. */
const MAX_CACHED_TOKENS = 50_000;

/**
 * The access tokens login issued: the default AccessTokenResolver, and where they end (logout).
 * Every authenticated request presents one, so a token's owner is remembered for
 * `accessTokenCacheTtlMs` (a few seconds): the database is asked once per token per window instead
 * of once per request. What is remembered carries the token's expiry, checked on every request, so
 * that an expired token is refused at once, remembered or not. A token revoked on this instance
 * (logout, or its device logging in again) is forgotten at once; on another instance it may still
 * be accepted until its entry there expires, which is the bound the README states.
 */
@Injectable()
export class AccessTokenService implements AccessTokenResolver {
  private readonly recent = new ExpiringCache<string, StoredAccessToken>(MAX_CACHED_TOKENS);
  private readonly cacheTtlMs: number;

  constructor(
    @Inject(AccessTokenRepository) private readonly tokens: AccessTokenRepository,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
  ) {
    this.cacheTtlMs = options.accessTokenCacheTtlMs ?? AUTH_DEFAULTS.accessTokenCacheTtlMs;
  }

  /**
   * The owner of a presented token; undefined for a token never issued or revoked; an expired one
   * throws ExpiredTokenError (401 M_UNKNOWN_TOKEN with `soft_logout: true`). Remembered by the
   * token itself (it is in this process's memory with every request anyway), so that a remembered
   * token costs no hashing.
   */
  async resolve(accessToken: string): Promise<Requester | undefined> {
    const now = this.clock.now();
    let token = this.recent.get(accessToken, now);
    if (!token) {
      token = await this.tokens.find(hashAccessToken(accessToken));
      if (token && this.cacheTtlMs > 0) this.recent.set(accessToken, token, now + this.cacheTtlMs);
    }
    if (!token) return undefined;
    if (token.expiresAt !== undefined && now >= token.expiresAt) throw new ExpiredTokenError();
    return { userId: token.userId, deviceId: token.deviceId };
  }

  /** The owner of a presented token; throws UnknownTokenError for a token never issued or revoked. */
  async authenticate(accessToken: string): Promise<Requester> {
    const requester = await this.resolve(accessToken);
    if (!requester) throw new UnknownTokenError();
    return requester;
  }

  /** POST /logout: the token the requester presented stops working (with its device's, which is the same). */
  async logout(requester: Requester): Promise<void> {
    await this.tokens.revokeDevice(requester.userId, requester.deviceId);
    this.forgetDevice(requester.userId, requester.deviceId);
  }

  /** POST /logout/all: every token of the user stops working. */
  async logoutAll(userId: string): Promise<void> {
    await this.tokens.revokeUser(userId);
    this.recent.deleteWhere((token) => token.userId === userId);
  }

  /** The device's tokens were replaced or revoked: this instance stops accepting them at once. */
  forgetDevice(userId: string, deviceId: string): void {
    this.recent.deleteWhere((token) => token.userId === userId && token.deviceId === deviceId);
  }
}
