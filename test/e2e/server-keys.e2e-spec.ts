import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError } from '../../src/config/load-config';
import { startAnotherInstance, startTestApp, TestApp } from '../support/test-app';

interface KeyDocument {
  server_name: string;
  verify_keys: Record<string, { key: string }>;
  old_verify_keys: Record<string, unknown>;
  valid_until_ts: number;
  signatures: Record<string, Record<string, string>>;
}

/**
 * Canonical JSON written independently of the server's: enough for these ASCII keys and integers
 * (JavaScript's sort is code unit order, which only differs from code point order above U+D7FF).
 */
function canonical(value: unknown): string {
  const sorted = (inner: unknown): unknown => {
    if (Array.isArray(inner)) return inner.map(sorted);
    if (inner === null || typeof inner !== 'object') return inner;
    return Object.fromEntries(
      Object.keys(inner)
        .sort()
        .map((key) => [key, sorted((inner as Record<string, unknown>)[key])]),
    );
  };
  return JSON.stringify(sorted(value));
}

/** Checks the document as another server would: from its own public key, over its canonical JSON without signatures. */
function verifiesItself(document: KeyDocument): boolean {
  const [[keyId, { key }]] = Object.entries(document.verify_keys);
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key, 'base64').toString('base64url') }, format: 'jwk' });
  const { signatures, ...signed } = document;
  return verify(null, Buffer.from(canonical(signed), 'utf8'), publicKey, Buffer.from(signatures[document.server_name][keyId], 'base64'));
}

describe('GET /_matrix/key/v2/server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { SERVER_NAME: 'keys.test' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the key document, signed by its own key, with no access token', async () => {
    const before = Date.now();
    const response = await t.http().get('/_matrix/key/v2/server').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const document = response.body as KeyDocument;
    const keyId = Object.keys(document.verify_keys)[0];
    expect(document).toEqual({
      server_name: 'keys.test',
      verify_keys: { [keyId]: { key: expect.stringMatching(/^[A-Za-z0-9+/]{43}$/) } },
      old_verify_keys: {},
      valid_until_ts: expect.any(Number),
      signatures: { 'keys.test': { [keyId]: expect.stringMatching(/^[A-Za-z0-9+/]{86}$/) } },
    });
    expect(keyId).toMatch(/^ed25519:a_[A-Za-z0-9]{4}$/);
    expect(verifiesItself(document)).toBe(true);
    expect(document.valid_until_ts).toBeGreaterThan(before);
  });

  it('has a signature that covers the document: any change breaks it', async () => {
    const document = (await t.http().get('/_matrix/key/v2/server').expect(200)).body as KeyDocument;
    expect(verifiesItself({ ...document, valid_until_ts: document.valid_until_ts + 1 })).toBe(false);
    expect(verifiesItself({ ...document, server_name: 'other.test', signatures: { 'other.test': document.signatures['keys.test'] } })).toBe(false);
  });

  it('serves the same signed document again rather than signing each request', async () => {
    const first = (await t.http().get('/_matrix/key/v2/server').expect(200)).body;
    const second = (await t.http().get('/_matrix/key/v2/server').expect(200)).body;
    expect(second).toEqual(first);
  });

  it('keeps the key in SIGNING_KEY_PATH, readable by the owner only, in the form Synapse writes', async () => {
    const document = (await t.http().get('/_matrix/key/v2/server').expect(200)).body as KeyDocument;
    const path = t.config.signing.keyPath;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const [algorithm, version, seed] = readFileSync(path, 'utf8').trim().split(' ');
    expect(`${algorithm}:${version}`).toBe(Object.keys(document.verify_keys)[0]);
    expect(t.logs.join('\n')).toContain(`Created signing key ${algorithm}:${version} in ${path}`);
    expect(t.logs.join('\n')).not.toContain(seed);
  });

  it('is served with the same key by another instance using the same key file', async () => {
    const other = await startAnotherInstance(t, { SERVER_NAME: 'keys.test' });
    try {
      const mine = (await t.http().get('/_matrix/key/v2/server').expect(200)).body as KeyDocument;
      const theirs = (await other.http().get('/_matrix/key/v2/server').expect(200)).body as KeyDocument;
      expect(theirs.verify_keys).toEqual(mine.verify_keys);
      expect(verifiesItself(theirs)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('answers 405 to other methods, as for any known path', async () => {
    const response = await t.http().post('/_matrix/key/v2/server').send({}).expect(405);
    expect(response.body).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
  });
});

describe('a signing key file that cannot be used', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'm3pid-bad-key-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops start-up with a message naming SIGNING_KEY_PATH', async () => {
    const path = join(dir, 'signing.key');
    writeFileSync(path, 'not a key\n');
    const error = await startTestApp('sqlite', { SIGNING_KEY_PATH: path }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).problems).toEqual([
      `SIGNING_KEY_PATH (${path}) is not a signing key file: expected "ed25519 <version> <base64 seed>" (the line is not in that form)`,
    ]);
  });
});
