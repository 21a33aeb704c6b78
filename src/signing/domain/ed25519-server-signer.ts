import { encodeCanonicalJson } from './canonical-json';
import type { ServerSigner } from './ports/server-signer';
import type { SigningKey } from './signing-key';

/**
 * ServerSigner with this server's own key. What is signed is the canonical JSON of the value
 * without its `signatures` and `unsigned` members, so that signatures can be added to an object
 * (and unsigned data carried beside them) without invalidating those already there.
 * @see spec: Appendices, "Signing JSON"
 */
export class Ed25519ServerSigner implements ServerSigner {
  constructor(
    readonly serverName: string,
    private readonly key: SigningKey,
  ) {}

  get keyId(): string {
    return this.key.keyId;
  }

  signJson(value: object): string {
    const { signatures: _signatures, unsigned: _unsigned, ...signed } = value as Record<string, unknown>;
    return this.key.sign(encodeCanonicalJson(signed));
  }
}

/** Signatures as Matrix carries them: server name → key ID → unpadded-base64 signature. */
export type Signatures = Record<string, Record<string, string>>;

/** The value with the signer's signature added beside any it already carries. */
export function withSignature<T extends object>(value: T & { signatures?: Signatures }, signer: ServerSigner): T & { signatures: Signatures } {
  const signature = signer.signJson(value);
  const signatures = value.signatures ?? {};
  return { ...value, signatures: { ...signatures, [signer.serverName]: { ...signatures[signer.serverName], [signer.keyId]: signature } } };
}
