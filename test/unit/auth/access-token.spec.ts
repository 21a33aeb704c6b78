import { createHash } from 'node:crypto';
import { generateAccessToken, generateDeviceId, hashAccessToken } from '../../../src/auth/domain/access-token';
import { Argon2PasswordHasher } from '../../../src/auth/infrastructure/argon2-password.hasher';

describe('access tokens', () => {
  it('are long, URL-safe and never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateAccessToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^m3p_[A-Za-z0-9_-]{43}$/);
  });

  it('are stored as their SHA-256 digest in hex', () => {
    expect(hashAccessToken('m3p_abc')).toBe(createHash('sha256').update('m3p_abc').digest('hex'));
    expect(hashAccessToken('m3p_abc')).toHaveLength(64);
  });

  it('come with a device ID of ten capital letters', () => {
    expect(generateDeviceId()).toMatch(/^[A-Z]{10}$/);
  });
});

describe(Argon2PasswordHasher.name, () => {
  const hasher = new Argon2PasswordHasher();

  it('hashes with argon2id and a fresh salt each time', async () => {
    const first = await hasher.hash('hunter2');
    const second = await hasher.hash('hunter2');
    expect(first).toMatch(/^\$argon2id\$v=19\$/);
    expect(first).not.toBe(second);
  });

  it('verifies the right password only', async () => {
    const hash = await hasher.hash('hunter2');
    await expect(hasher.verify(hash, 'hunter2')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'hunter3')).resolves.toBe(false);
  });

  it('treats a malformed stored hash as a mismatch, not an error', async () => {
    await expect(hasher.verify('not-a-hash', 'hunter2')).resolves.toBe(false);
  });
});
