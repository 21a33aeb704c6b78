import { createPublicKey, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { encodeCanonicalJson } from '../../../src/signing/domain/canonical-json';
import { Ed25519ServerSigner, withSignature } from '../../../src/signing/domain/ed25519-server-signer';
import { signedServerKeyDocument } from '../../../src/signing/domain/server-key-document';
import { SigningKey } from '../../../src/signing/domain/signing-key';

/** The SPKI DER of an ed25519 public key is this prefix and the 32 raw bytes (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Checks a signature the way another server would: node:crypto, from the published public key only. */
function verifies(publicKey: string, text: string, signature: string): boolean {
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKey, 'base64')]), format: 'der', type: 'spki' });
  return verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(signature, 'base64'));
}

/** The test vector of the Matrix appendix, "Signing JSON". */
const APPENDIX_SEED = Buffer.from('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1', 'base64');

describe(SigningKey.name, () => {
  it("gives RFC 8032's public key and signature for its first test vector", () => {
    const key = SigningKey.fromSeed('1', Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'));
    expect(Buffer.from(key.publicKey, 'base64').toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(Buffer.from(key.sign(new Uint8Array()), 'base64').toString('hex')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('writes the public key and signatures in unpadded base64', () => {
    const key = SigningKey.generate();
    expect(key.publicKey).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(key.sign('text')).toMatch(/^[A-Za-z0-9+/]{86}$/);
  });

  it('signs text as its UTF-8 bytes, verifiable with the public key alone', () => {
    const key = SigningKey.generate();
    const signature = key.sign('日本語');
    expect(verifies(key.publicKey, '日本語', signature)).toBe(true);
    expect(signature).toBe(key.sign(Buffer.from('日本語', 'utf8')));
    expect(verifies(key.publicKey, '日本', signature)).toBe(false);
  });

  it('generates a new key each time, with a version like Synapse\'s: a_ and four letters or digits', () => {
    const [one, other] = [SigningKey.generate(), SigningKey.generate()];
    expect(one.publicKey).not.toBe(other.publicKey);
    expect(one.keyId).toMatch(/^ed25519:a_[A-Za-z0-9]{4}$/);
    expect(SigningKey.generate('7').keyId).toBe('ed25519:7');
  });

  it('exports the seed it was made from, which makes the same key again', () => {
    const key = SigningKey.generate();
    const again = SigningKey.fromSeed(key.version, key.exportSeed());
    expect(key.exportSeed()).toHaveLength(32);
    expect(again.publicKey).toBe(key.publicKey);
    expect(again.sign('x')).toBe(key.sign('x'));
  });

  it.each([[31], [33], [0]])('refuses a seed of %i bytes', (length) => {
    expect(() => SigningKey.fromSeed('1', Buffer.alloc(length))).toThrow(RangeError);
  });

  it.each([[''], ['a:b'], ['a b'], ['ü']])('refuses the key version %j', (version) => {
    expect(() => SigningKey.fromSeed(version, APPENDIX_SEED)).toThrow(RangeError);
  });

  it('shows no secret when inspected or logged', () => {
    const key = SigningKey.fromSeed('1', APPENDIX_SEED);
    const shown = `${inspect(key, { depth: 10, showHidden: true })} ${JSON.stringify(key)}`;
    expect(shown).not.toContain(APPENDIX_SEED.toString('base64').replace(/=+$/, ''));
    expect(shown).not.toContain(APPENDIX_SEED.toString('hex'));
  });
});

describe(Ed25519ServerSigner.name, () => {
  const signer = new Ed25519ServerSigner('domain', SigningKey.fromSeed('1', APPENDIX_SEED));

  it.each([
    [{}, 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ'],
    [{ one: 1, two: 'Two' }, 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw'],
  ])("gives the appendix's signature for %j", (value, signature) => {
    expect(signer.keyId).toBe('ed25519:1');
    expect(signer.signJson(value)).toBe(signature);
  });

  it('signs the canonical JSON of the value without its signatures and unsigned members', () => {
    const value = { b: 1, a: '日', signatures: { other: { 'ed25519:x': 'sig' } }, unsigned: { age: 3 } };
    const signature = signer.signJson(value);
    expect(signature).toBe(signer.signJson({ a: '日', b: 1 }));
    expect(verifies(SigningKey.fromSeed('1', APPENDIX_SEED).publicKey, '{"a":"日","b":1}', signature)).toBe(true);
  });

  it('adds its signature beside those already there, under its server name and key ID', () => {
    const signed = withSignature({ one: 1, two: 'Two', signatures: { other: { 'ed25519:x': 'theirs' } } }, signer);
    expect(signed).toEqual({
      one: 1,
      two: 'Two',
      signatures: {
        other: { 'ed25519:x': 'theirs' },
        domain: { 'ed25519:1': 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw' },
      },
    });
  });
});

describe(signedServerKeyDocument.name, () => {
  it('publishes the key, signed by itself over the rest of the document', () => {
    const key = SigningKey.generate();
    const document = signedServerKeyDocument('example.org', key, 1_700_000_000_000);
    expect(document).toEqual({
      server_name: 'example.org',
      verify_keys: { [key.keyId]: { key: key.publicKey } },
      old_verify_keys: {},
      valid_until_ts: 1_700_000_000_000,
      signatures: { 'example.org': { [key.keyId]: expect.any(String) } },
    });
    const { signatures, ...unsigned } = document;
    expect(verifies(document.verify_keys[key.keyId].key, encodeCanonicalJson(unsigned), signatures['example.org'][key.keyId])).toBe(true);
  });
});
