import { createPrivateKey, createPublicKey, KeyObject, randomBytes, randomInt, sign } from 'node:crypto';

/** An ed25519 private key in PKCS#8 DER is this fixed prefix and the 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** The raw public key is the last 32 bytes of its SPKI DER encoding. */
const SPKI_PUBLIC_KEY_BYTES = 32;
export const SEED_BYTES = 32;

/** Key versions are the part of a key ID after the algorithm. @see spec: Server-Server API, "Publishing Keys" */
const KEY_VERSION = /^[A-Za-z0-9_]+$/;
const VERSION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * One of this server's ed25519 signing keys. Signatures and the public key are unpadded standard
 * base64, as Matrix writes them. The seed stays inside the KeyObject (which prints as nothing), so
 * that logging the key by mistake shows no secret.
 * @see spec: Appendices, "Signing JSON" and "Unpadded Base64"
 */
export class SigningKey {
  /** The unpadded-base64 public key, as published in `verify_keys`. */
  readonly publicKey: string;

  private constructor(
    /** The part of the key ID after `ed25519:`. */
    readonly version: string,
    private readonly privateKey: KeyObject,
  ) {
    this.publicKey = unpaddedBase64(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-SPKI_PUBLIC_KEY_BYTES));
  }

  /** The key a 32-byte seed stands for; Synapse's key files hold the seed. */
  static fromSeed(version: string, seed: Uint8Array): SigningKey {
    if (!KEY_VERSION.test(version)) throw new RangeError('A key version may only contain A-Z, a-z, 0-9 and _');
    if (seed.length !== SEED_BYTES) throw new RangeError(`An ed25519 seed is ${SEED_BYTES} bytes, not ${seed.length}`);
    const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
    return new SigningKey(version, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  }

  /** A new random key; its version is `a_` and four random letters or digits, as Synapse makes them. */
  static generate(version = `a_${Array.from({ length: 4 }, () => VERSION_ALPHABET[randomInt(VERSION_ALPHABET.length)]).join('')}`): SigningKey {
    return SigningKey.fromSeed(version, randomBytes(SEED_BYTES));
  }

  /** `ed25519:<version>`. */
  get keyId(): string {
    return `ed25519:${this.version}`;
  }

  /** The unpadded-base64 signature of the bytes, or of the UTF-8 of the text. */
  sign(data: string | Uint8Array): string {
    return unpaddedBase64(sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, this.privateKey));
  }

  /** The secret seed, only for writing the key file: never log it. */
  exportSeed(): Buffer {
    return this.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  }
}

export function unpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}
