import { Inject, Injectable } from '@nestjs/common';
import { hashAccessToken } from '../domain/access-token';
import { UnknownTokenError } from '../domain/auth.errors';
import { AccessTokenRepository } from '../domain/ports/access-token.repository';
import { Requester } from '../domain/user';

@Injectable()
export class AccessTokenService {
  constructor(@Inject(AccessTokenRepository) private readonly tokens: AccessTokenRepository) {}

  /** The owner of a presented token; throws UnknownTokenError for a token never issued or revoked. */
  async authenticate(accessToken: string): Promise<Requester> {
    const requester = await this.tokens.findRequester(hashAccessToken(accessToken));
    if (!requester) throw new UnknownTokenError();
    return requester;
  }
}
