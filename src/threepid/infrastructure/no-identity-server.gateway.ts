import { IdentityServerGateway, UnbindResult } from '../domain/ports/identity-server.gateway';

/**
 * Until this server binds 3PIDs at identity servers it knows of no binding, so it has nothing to
 * unbind; the spec's answer for that is `no-support`.
 */
export class NoIdentityServerGateway implements IdentityServerGateway {
  async unbind(): Promise<UnbindResult> {
    return 'no-support';
  }
}
