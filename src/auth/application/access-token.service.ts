import { Inject, Injectable } from '@nestjs/common';
import { hashAccessToken } from '../domain/access-token';
import { UnknownTokenError } from '../domain/auth.errors';
import { AccessTokenRepository } from '../domain/ports/access-token.repository';
import { Requester } from '../domain/user';
import { AccessTokenResolver } from './ports/access-token-resolver';

/** The access tokens login issued: the default AccessTokenResolver. */
@Injectable()
export class AccessTokenService implements AccessTokenResolver {
  constructor(@Inject(AccessTokenRepository) private readonly tokens: AccessTokenRepository) {}

  /** The owner of a presented token; undefined for a token never issued or revoked. */
  resolve(accessToken: string): Promise<Requester | undefined> {
    return this.tokens.findRequester(hashAccessToken(accessToken));
  }

  /** The owner of a presented token; throws UnknownTokenError for a token never issued or revoked. */
  async authenticate(accessToken: string): Promise<Requester> {
    const requester = await this.resolve(accessToken);
    if (!requester) throw new UnknownTokenError();
    return requester;
  }
}
