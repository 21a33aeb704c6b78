import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { hashAccessToken } from '../domain/access-token';
import { ExpiredTokenError, UnknownTokenError } from '../domain/auth.errors';
import { AccessTokenRepository } from '../domain/ports/access-token.repository';
import { Requester } from '../domain/user';
import { AccessTokenResolver } from './ports/access-token-resolver';

/**
 * The access tokens login issued: the default AccessTokenResolver, and where they end (logout).
 * Whatever the repository answers carries the token's expiry, checked here on every request, so
 * that a cache of its answers keeps honouring it; revoking goes through here, so that such a cache
 * can forget what it revokes.
 */
@Injectable()
export class AccessTokenService implements AccessTokenResolver {
  constructor(
    @Inject(AccessTokenRepository) private readonly tokens: AccessTokenRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * The owner of a presented token; undefined for a token never issued or revoked. An expired one
   * throws ExpiredTokenError (401 M_UNKNOWN_TOKEN with `soft_logout: true`).
   */
  async resolve(accessToken: string): Promise<Requester | undefined> {
    const token = await this.tokens.find(hashAccessToken(accessToken));
    if (!token) return undefined;
    if (token.expiresAt !== undefined && this.clock.now() >= token.expiresAt) throw new ExpiredTokenError();
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
  }

  /** POST /logout/all: every token of the user stops working. */
  async logoutAll(userId: string): Promise<void> {
    await this.tokens.revokeUser(userId);
  }
}
