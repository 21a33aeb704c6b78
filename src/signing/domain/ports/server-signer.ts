/**
 * This homeserver's signing key, for what it sends to other servers (identity-server unbinds) and
 * for its published key document.
 */
export interface ServerSigner {
  /** The homeserver's name: the `origin` of what it signs. */
  readonly serverName: string;
  /** `ed25519:<version>`, as published at /_matrix/key/v2/server. */
  readonly keyId: string;
  /** The unpadded-base64 ed25519 signature of `value` in Matrix canonical JSON. */
  signJson(value: object): string;
}
export const ServerSigner = Symbol('ServerSigner');
