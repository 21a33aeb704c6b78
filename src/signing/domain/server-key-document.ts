import { Ed25519ServerSigner, withSignature, type Signatures } from './ed25519-server-signer';
import type { SigningKey } from './signing-key';

/**
 * The document other servers fetch to verify this server's signatures. Its members keep their wire
 * names here, not only at the edge: the signature covers these exact names.
 * @see spec: Server-Server API, GET /_matrix/key/v2/server
 */
export interface ServerKeyDocument {
  server_name: string;
  verify_keys: Record<string, { key: string }>;
  old_verify_keys: Record<string, { key: string; expired_ts: number }>;
  /** Until when (ms since the epoch) others may use the keys without fetching them again. */
  valid_until_ts: number;
  signatures: Signatures;
}

/** The key document of `serverName` publishing `key`, signed with that same key. */
export function signedServerKeyDocument(serverName: string, key: SigningKey, validUntilTs: number): ServerKeyDocument {
  return withSignature(
    {
      server_name: serverName,
      verify_keys: { [key.keyId]: { key: key.publicKey } },
      // One key per server: an operator who replaces the key file keeps no record of the old one to list.
      old_verify_keys: {},
      valid_until_ts: validUntilTs,
    },
    new Ed25519ServerSigner(serverName, key),
  );
}
