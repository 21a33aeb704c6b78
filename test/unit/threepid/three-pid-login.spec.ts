import { PasswordAuthenticator } from '../../../src/auth/application/password-authenticator';
import { UserIdentifier, UserIdentifiers } from '../../../src/auth/application/user-identifiers';
import { ThreePidLogin } from '../../../src/threepid/application/three-pid-login';
import { aThreePid } from '../../builders/three-pid.builder';
import { AUTH_DEFAULTS } from '../../../src/auth/auth.options';
import { InMemoryFailedAttemptRepository, InMemoryUserRepository, startedPasswordAuthenticator } from '../../fakes/auth.fakes';
import { InMemoryThreePidRepository } from '../../fakes/threepid.fakes';

const ALICE = '@alice:example.org';
const BOB = '@bob:example.org';

describe(ThreePidLogin.name, () => {
  let identifiers: UserIdentifiers;
  let threePids: InMemoryThreePidRepository;
  beforeEach(() => {
    identifiers = new UserIdentifiers({ serverName: 'example.org' });
    threePids = new InMemoryThreePidRepository();
    threePids.threePids.push(
      aThreePid().forUser(ALICE).email('alice@example.org').build(),
      aThreePid().forUser(ALICE).msisdn('447700900123').build(),
      aThreePid().forUser(BOB).email('bob@example.org').build(),
    );
    new ThreePidLogin(identifiers, threePids).onModuleInit();
  });
  /**
   * As PasswordAuthenticator calls it, awaited in an async function: resolvers for a malformed
   * identifier throw synchronously instead of rejecting (see the report on IdentifierResolver).
   */
  const resolve = async (identifier: UserIdentifier, from = identifiers) => from.resolve(identifier);

  it('adds its identifier types only when its module starts', async () => {
    const bare = new UserIdentifiers({ serverName: 'example.org' });
    const login = new ThreePidLogin(bare, threePids);
    const identifier = { type: 'm.id.thirdparty', medium: 'email', address: 'alice@example.org' };
    await expect(resolve(identifier, bare)).rejects.toMatchObject({ status: 400, errcode: 'M_UNKNOWN' });
    login.onModuleInit();
    await expect(resolve(identifier, bare)).resolves.toBe(ALICE);
  });

  describe('m.id.thirdparty', () => {
    it.each([
      ['email', 'alice@example.org', ALICE],
      ['email', ' Alice@Example.ORG', ALICE],
      ['email', 'BOB@example.org\n', BOB],
      ['msisdn', '447700900123', ALICE],
      ['msisdn', '+447700900123', ALICE],
      ['msisdn', '+44 7700 900123', ALICE],
    ])('finds the owner of %s %j', async (medium, address, owner) => {
      await expect(resolve({ type: 'm.id.thirdparty', medium, address })).resolves.toBe(owner);
    });

    it('names nobody with an address on no account', async () => {
      await expect(resolve({ type: 'm.id.thirdparty', medium: 'email', address: 'carol@example.org' })).resolves.toBeUndefined();
    });

    it.each([
      ['an unknown medium', 'carrier-pigeon', 'alice@example.org'],
      ['an unknown medium with a phone number', 'carrier-pigeon', '447700900123'],
      ['a medium in another case', 'EMAIL', 'alice@example.org'],
      ['an e-mail address that is not one', 'email', 'alice(at)example.org'],
      ['a phone number in national format', 'msisdn', '07700900123'],
      ['a phone number that is not one', 'msisdn', 'four four seven'],
    ])('names nobody, without looking, with %s', async (_case, medium, address) => {
      const lookups = jest.spyOn(threePids, 'findOwner');
      await expect(resolve({ type: 'm.id.thirdparty', medium, address })).resolves.toBeUndefined();
      expect(lookups).not.toHaveBeenCalled();
    });

    it.each([
      [{ type: 'm.id.thirdparty', address: 'alice@example.org' }, 'identifier.medium'],
      [{ type: 'm.id.thirdparty', medium: 'email' }, 'identifier.address'],
      [{ type: 'm.id.thirdparty', medium: 'email', address: 42 }, 'identifier.address'],
    ] as [UserIdentifier, string][])('refuses %j with 400 M_MISSING_PARAM naming %s', async (identifier, field) => {
      await expect(resolve(identifier)).rejects.toMatchObject({ status: 400, errcode: 'M_MISSING_PARAM', message: expect.stringContaining(field) });
    });
  });

  describe('m.id.phone', () => {
    it.each([
      ['GB', '07700 900123'],
      ['GB', '07700900123'],
      ['gb', '+44 7700 900123'],
      ['US', '+447700900123'],
    ])('finds the owner of the number dialled in %s as %j', async (country, phone) => {
      await expect(resolve({ type: 'm.id.phone', country, phone })).resolves.toBe(ALICE);
    });

    it.each([
      ['a number on no account', 'GB', '07700 900124'],
      ['the number dialled in another country', 'FR', '07700 900123'],
      ['an unknown country', 'XX', '07700 900123'],
      ['a number that is not one', 'GB', 'call me'],
    ])('names nobody with %s', async (_case, country, phone) => {
      await expect(resolve({ type: 'm.id.phone', country, phone })).resolves.toBeUndefined();
    });

    it.each([
      [{ type: 'm.id.phone', phone: '07700900123' }, 'identifier.country'],
      [{ type: 'm.id.phone', country: 'GB' }, 'identifier.phone'],
    ] as [UserIdentifier, string][])('refuses %j with 400 M_MISSING_PARAM naming %s', async (identifier, field) => {
      await expect(resolve(identifier)).rejects.toMatchObject({ status: 400, errcode: 'M_MISSING_PARAM', message: expect.stringContaining(field) });
    });
  });

  describe('with a password', () => {
    let attempts: InMemoryFailedAttemptRepository;
    let authenticator: PasswordAuthenticator;
    beforeEach(async () => {
      const users = new InMemoryUserRepository();
      await users.create({ userId: ALICE, passwordHash: 'fake:secret', createdAt: 0, admin: false });
      attempts = new InMemoryFailedAttemptRepository();
      authenticator = await startedPasswordAuthenticator({ users, attempts, identifiers });
    });

    it.each([
      ['an m.id.thirdparty identifier', { identifier: { type: 'm.id.thirdparty', medium: 'email', address: 'Alice@example.org' } }],
      ['an m.id.phone identifier', { identifier: { type: 'm.id.phone', country: 'GB', phone: '07700 900123' } }],
      ['the legacy top-level medium and address', { medium: 'msisdn', address: '+447700900123' }],
    ])('authenticates the owner by %s', async (_case, credentials) => {
      await expect(authenticator.authenticate({ ...credentials, password: 'secret' })).resolves.toBe(ALICE);
      await expect(authenticator.authenticate({ ...credentials, password: 'wrong' })).rejects.toMatchObject({ status: 403, errcode: 'M_FORBIDDEN' });
    });

    it("counts wrong passwords under the address typed (a number's two forms as one), and against the owner's account only silently", async () => {
      const { limit } = AUTH_DEFAULTS.failedPasswordLimit;
      const byEmail = { identifier: { type: 'm.id.thirdparty', medium: 'email', address: 'ALICE@example.org' } };
      const byPhone = { identifier: { type: 'm.id.phone', country: 'GB', phone: '07700 900123' } };
      const byMsisdn = { identifier: { type: 'm.id.thirdparty', medium: 'msisdn', address: '+447700900123' } };
      for (let i = 0; i < limit; i++) {
        await expect(authenticator.authenticate({ ...byEmail, password: 'wrong' })).rejects.toMatchObject({ status: 403 });
        await expect(authenticator.authenticate({ ...(i % 2 ? byPhone : byMsisdn), password: 'wrong' })).rejects.toMatchObject({ status: 403 });
      }
      expect({
        email: attempts.countFor('email:alice@example.org'),
        phone: attempts.countFor('msisdn:447700900123'),
        userId: attempts.countFor(ALICE),
        account: attempts.countForAccount(ALICE),
      }).toEqual({ email: limit, phone: limit, userId: 0, account: 2 * limit });
      await expect(authenticator.authenticate({ ...byPhone, password: 'secret' })).rejects.toMatchObject({ status: 429, errcode: 'M_LIMIT_EXCEEDED' });
      // Nothing shows through the user ID: its own count decides.
      await expect(authenticator.authenticate({ user: 'alice', password: 'secret' })).resolves.toBe(ALICE);
    });

    it('refuses an identifier missing its medium with 400 M_MISSING_PARAM', async () => {
      await expect(
        authenticator.authenticate({ identifier: { type: 'm.id.thirdparty', address: 'alice@example.org' }, password: 'secret' }),
      ).rejects.toMatchObject({ status: 400, errcode: 'M_MISSING_PARAM' });
    });

    it('fails as for an unknown user when the address names nobody, counting it against that address only', async () => {
      const notAnAddress = { type: 'm.id.thirdparty', medium: 'email', address: 'not an address' };
      await expect(authenticator.authenticate({ identifier: notAnAddress, password: 'secret' })).rejects.toMatchObject({ status: 403, errcode: 'M_FORBIDDEN' });
      for (const address of ['carol@example.org', 'Carol@EXAMPLE.org']) {
        await expect(
          authenticator.authenticate({ identifier: { type: 'm.id.thirdparty', medium: 'email', address }, password: 'secret' }),
        ).rejects.toMatchObject({ status: 403, errcode: 'M_FORBIDDEN' });
      }
      expect(attempts.countFor('email:carol@example.org')).toBe(2);
      expect(attempts.countFor(`m.id.thirdparty:${JSON.stringify({ address: 'not an address', medium: 'email', type: 'm.id.thirdparty' })}`)).toBe(1);
      expect(attempts.countForAccount(ALICE)).toBe(0);
    });
  });
});
