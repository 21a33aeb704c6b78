import type { Requester } from '../../domain/user';

/**
 * Who presented an access token: what the guard behind @Authenticated() and @RequiresUia() asks.
 * AuthModule's AccessTokenService is the default; a host homeserver with its own access tokens
 * passes its own to AuthGuardsModule instead.
 */
export interface AccessTokenResolver {
  /**
   * The user and device the token belongs to, or undefined when it is unknown, expired or revoked
   * (the client gets 401 M_UNKNOWN_TOKEN). A MatrixError it throws is the answer instead.
   */
  resolve(accessToken: string): Promise<Requester | undefined>;
}
export const AccessTokenResolver = Symbol('AccessTokenResolver');
