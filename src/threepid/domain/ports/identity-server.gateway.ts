import { Medium } from '../medium';

/** `success`: the identity server unbound the 3PID; `no-support`: it refused, or no server was known to unbind from. */
export type UnbindResult = 'success' | 'no-support';

export interface UnbindRequest {
  userId: string;
  medium: Medium;
  /** Canonical. */
  address: string;
  /** The server to unbind from; when absent, every server the 3PID was bound through. */
  idServer?: string;
}

/** The identity servers this homeserver talks to on its users' behalf. */
export interface IdentityServerGateway {
  unbind(request: UnbindRequest): Promise<UnbindResult>;
}
export const IdentityServerGateway = Symbol('IdentityServerGateway');
