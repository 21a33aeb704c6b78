import { UserId } from '../../../src/auth/domain/user-id';

describe(UserId.name, () => {
  describe('create', () => {
    it.each([['alice'], ['a.b_c=d-e/f+g'], ['0123']])('accepts the localpart %s', (localpart) => {
      expect(UserId.create(localpart, 'example.org').toString()).toBe(`@${localpart}:example.org`);
    });

    it.each([['Alice'], ['al ice'], ['al:ice'], ['@alice'], [''], ['ålice']])('refuses the localpart %j', (localpart) => {
      expect(() => UserId.create(localpart, 'example.org')).toThrow(expect.objectContaining({ errcode: 'M_INVALID_USERNAME' }));
    });

    it('refuses a user ID longer than 255 characters', () => {
      expect(() => UserId.create('a'.repeat(250), 'example.org')).toThrow(expect.objectContaining({ errcode: 'M_INVALID_USERNAME' }));
    });
  });

  describe('fromLoginInput', () => {
    it.each([
      ['alice', '@alice:example.org'],
      ['ALICE', '@alice:example.org'],
      ['@alice:example.org', '@alice:example.org'],
      ['@Alice:example.org', '@alice:example.org'],
    ])('reads %s as %s', (input, expected) => {
      expect(UserId.fromLoginInput(input, 'example.org')?.toString()).toBe(expected);
    });

    it.each([['@alice:other.org'], ['@alice'], ['al ice'], ['@alice:example.org:8448']])('does not read %s as a local user', (input) => {
      expect(UserId.fromLoginInput(input, 'example.org')).toBeUndefined();
    });

    it('reads a user ID of 255 characters, not one longer, which no account can have', () => {
      const localpart = (length: number) => 'a'.repeat(length - '@:example.org'.length);
      expect(UserId.fromLoginInput(localpart(255), 'example.org')?.toString()).toHaveLength(255);
      expect(UserId.fromLoginInput(localpart(256), 'example.org')).toBeUndefined();
      expect(UserId.fromLoginInput(`@${localpart(256)}:example.org`, 'example.org')).toBeUndefined();
      expect(UserId.fromLoginInput('a'.repeat(60_000), 'example.org')).toBeUndefined();
    });
  });
});
