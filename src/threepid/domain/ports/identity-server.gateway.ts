import type { IdServer } from '../identity-server';

/** `success`: the identity server unbound the 3PID; `no-support`: it refused, or no server was known to unbind from. */
export type UnbindResult = 'success' | 'no-support';

/** What a bind asks of the identity server: publish the association its validated session proves. */
export interface BindRequest {
  sid: string;
  clientSecret: string;
  /** The user to associate with the session's 3PID. */
  mxid: string;
  /** The user's access token at the identity server. */
  idAccessToken: string;
}

/** The association the identity server published, as it reported it (not yet checked or canonicalised). */
export interface PublishedAssociation {
  medium: unknown;
  address: unknown;
  mxid: unknown;
}

export interface UnbindRequest {
  mxid: string;
  medium: string;
  address: string;
}

export interface ValidatedSessionQuery {
  sid: string;
  clientSecret: string;
  idAccessToken: string;
}

/** What an identity server says a session of its own validated (not yet checked or canonicalised). */
export interface ValidatedThreePid {
  medium: unknown;
  address: unknown;
  validatedAt: unknown;
}

/**
 * The identity servers this homeserver talks to on its users' behalf (spec: Identity Service API).
 * Callers have already checked that `idServer` may be contacted. Failures are MatrixErrors:
 * IdentityServerRefusedError for the server's own 4xx, IdentityServerUnavailableError when it
 * cannot be used, IdServerNotTrustedError when its address turns out not to be public.
 */
export interface IdentityServerGateway {
  /** POST /3pid/bind with the user's identity-server access token. */
  bind(idServer: IdServer, request: BindRequest): Promise<PublishedAssociation>;
  /** POST /3pid/unbind, signed by this homeserver. A 400/404/501 that is no Matrix error means `no-support`. */
  unbind(idServer: IdServer, request: UnbindRequest): Promise<UnbindResult>;
  /** GET /3pid/getValidated3pid: what the server's session validated. */
  getValidated3pid(idServer: IdServer, query: ValidatedSessionQuery): Promise<ValidatedThreePid>;
}
export const IdentityServerGateway = Symbol('IdentityServerGateway');
