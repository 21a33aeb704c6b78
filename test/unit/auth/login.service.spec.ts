import { LoginService } from '../../../src/auth/application/login.service';
import { AUTH_DEFAULTS } from '../../../src/auth/auth.options';
import { AccountService } from '../../../src/auth/application/account.service';
import { AccessTokenService } from '../../../src/auth/application/access-token.service';
import { hashAccessToken } from '../../../src/auth/domain/access-token';
import {
  FakePasswordHasher,
  FixedClock,
  InMemoryAccessTokenRepository,
  InMemoryFailedAttemptRepository,
  InMemoryUserRepository,
  startedPasswordAuthenticator,
} from '../../fakes/auth.fakes';

const { limit, windowMs } = AUTH_DEFAULTS.failedPasswordLimit;

describe(LoginService.name, () => {
  let users: InMemoryUserRepository;
  let tokens: InMemoryAccessTokenRepository;
  let hasher: FakePasswordHasher;
  let attempts: InMemoryFailedAttemptRepository;
  let clock: FixedClock;
  let logins: LoginService;
  let accessTokens: AccessTokenService;
  let accounts: AccountService;

  beforeEach(async () => {
    users = new InMemoryUserRepository();
    tokens = new InMemoryAccessTokenRepository();
    hasher = new FakePasswordHasher();
    attempts = new InMemoryFailedAttemptRepository();
    clock = new FixedClock();
    const options = { serverName: 'example.org' };
    const authenticator = await startedPasswordAuthenticator({ users, hasher, attempts, clock, options });
    accessTokens = new AccessTokenService(tokens, clock, options);
    logins = new LoginService(authenticator, tokens, accessTokens, clock, options);
    accounts = new AccountService(users, hasher, clock, options);
    await accounts.createUser('alice', 'secret');
  });

  it('logs in with an m.id.user identifier and stores only the hash of the new token', async () => {
    const result = await logins.login({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'secret' });
    expect(result.userId).toBe('@alice:example.org');
    expect(result.deviceId).toMatch(/^[A-Z]{10}$/);
    expect([...tokens.tokens.keys()]).toEqual([hashAccessToken(result.accessToken)]);
    expect(tokens.tokens.get(hashAccessToken(result.accessToken))).toMatchObject({ createdAt: clock.now(), deviceId: result.deviceId });
  });

  it('accepts the legacy top-level user field', async () => {
    const result = await logins.login({ type: 'm.login.password', user: '@Alice:example.org', password: 'secret' });
    expect(result.userId).toBe('@alice:example.org');
  });

  it('prefers identifier over the legacy user field', async () => {
    await expect(
      logins.login({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'nobody' }, user: 'alice', password: 'secret' }),
    ).rejects.toMatchObject({ status: 403, errcode: 'M_FORBIDDEN' });
  });

  it('checks a password even for an unknown user, so that timing does not reveal which users exist', async () => {
    await expect(logins.login({ type: 'm.login.password', user: 'nobody', password: 'secret' })).rejects.toMatchObject({ errcode: 'M_FORBIDDEN' });
    expect(hasher.verifications).toEqual([expect.stringMatching(/^fake:[0-9a-f]{64}$/)]);
  });

  it('refuses a wrong password with 403 M_FORBIDDEN and issues no token', async () => {
    await expect(logins.login({ type: 'm.login.password', user: 'alice', password: 'wrong' })).rejects.toMatchObject({
      status: 403,
      errcode: 'M_FORBIDDEN',
    });
    expect(tokens.tokens.size).toBe(0);
  });

  it.each([
    [{ type: 'm.login.token' }, 400, 'M_UNKNOWN'],
    [{ type: 'm.login.password', password: 'secret' }, 400, 'M_MISSING_PARAM'],
    [{ type: 'm.login.password', user: 'alice' }, 400, 'M_MISSING_PARAM'],
    [{ type: 'm.login.password', identifier: { type: 'm.id.user' }, password: 'secret' }, 400, 'M_MISSING_PARAM'],
    [{ type: 'm.login.password', identifier: { type: 'com.example.id' }, password: 'secret' }, 400, 'M_UNKNOWN'],
  ])('refuses %j with %i %s', async (request, status, errcode) => {
    await expect(logins.login(request)).rejects.toMatchObject({ status, errcode });
  });

  describe('wrong passwords', () => {
    const attempt = (password: string) => logins.login({ type: 'm.login.password', user: 'alice', password });

    it(`are limited to ${limit} per account: then 429 M_LIMIT_EXCEEDED, even for the right password, and no token`, async () => {
      for (let i = 0; i < limit; i++) await expect(attempt('wrong')).rejects.toMatchObject({ status: 403, errcode: 'M_FORBIDDEN' });
      await expect(attempt('wrong')).rejects.toMatchObject({ status: 429, errcode: 'M_LIMIT_EXCEEDED', extra: { retry_after_ms: windowMs } });
      await expect(attempt('secret')).rejects.toMatchObject({ status: 429, errcode: 'M_LIMIT_EXCEEDED' });
      expect(tokens.tokens.size).toBe(0);

      clock.advance(windowMs);
      await expect(attempt('secret')).resolves.toMatchObject({ userId: '@alice:example.org' });
      expect(attempts.countFor('@alice:example.org')).toBe(0);
    });

    it('are limited for user IDs without an account too, so that the answers do not tell which exist', async () => {
      for (let i = 0; i < limit; i++) {
        await expect(logins.login({ type: 'm.login.password', user: 'nobody', password: 'wrong' })).rejects.toMatchObject({
          status: 403,
          errcode: 'M_FORBIDDEN',
        });
      }
      await expect(logins.login({ type: 'm.login.password', user: 'nobody', password: 'wrong' })).rejects.toMatchObject({
        status: 429,
        errcode: 'M_LIMIT_EXCEEDED',
      });
      expect(attempts.countFor('@nobody:example.org')).toBe(limit);
    });
  });

  it('replaces the earlier token of a device the client names, at once, even while it is remembered', async () => {
    const first = await logins.login({ type: 'm.login.password', user: 'alice', password: 'secret', deviceId: 'PHONE' });
    await expect(accessTokens.authenticate(first.accessToken)).resolves.toEqual({ userId: '@alice:example.org', deviceId: 'PHONE' });
    const second = await logins.login({ type: 'm.login.password', user: 'alice', password: 'secret', deviceId: 'PHONE' });
    await expect(accessTokens.authenticate(second.accessToken)).resolves.toEqual({ userId: '@alice:example.org', deviceId: 'PHONE' });
    await expect(accessTokens.authenticate(first.accessToken)).rejects.toMatchObject({ status: 401, errcode: 'M_UNKNOWN_TOKEN' });
  });

  describe('access token lifetime', () => {
    const alice = { type: 'm.login.password', user: 'alice', password: 'secret' };

    it('issues tokens that work until logout when none is set', async () => {
      const result = await logins.login(alice);
      expect(result.expiresInMs).toBeUndefined();
      expect(tokens.tokens.get(hashAccessToken(result.accessToken))?.expiresAt).toBeUndefined();
      clock.advance(100 * 365 * 86_400_000);
      await expect(accessTokens.resolve(result.accessToken)).resolves.toMatchObject({ userId: '@alice:example.org' });
    });

    it('fixes the expiry at login, and answers a token past it with 401 M_UNKNOWN_TOKEN and soft_logout', async () => {
      const options = { serverName: 'example.org', accessTokenLifetimeMs: 60_000 };
      const resolver = new AccessTokenService(tokens, clock, options);
      const limited = new LoginService(await startedPasswordAuthenticator({ users, hasher, attempts, clock, options }), tokens, resolver, clock, options);
      const result = await limited.login(alice);
      expect(result.expiresInMs).toBe(60_000);
      expect(tokens.tokens.get(hashAccessToken(result.accessToken))?.expiresAt).toBe(clock.now() + 60_000);
      clock.advance(59_999);
      await expect(resolver.resolve(result.accessToken)).resolves.toMatchObject({ userId: '@alice:example.org' });
      clock.advance(1);
      await expect(resolver.resolve(result.accessToken)).rejects.toMatchObject({
        status: 401,
        errcode: 'M_UNKNOWN_TOKEN',
        extra: { soft_logout: true },
      });
    });
  });

  describe('logout', () => {
    it("revokes the requester's device, and logout/all every device of the user, no one else's", async () => {
      await accounts.createUser('bob', 'secret');
      const resolver = accessTokens;
      const loginAs = (user: string) => logins.login({ type: 'm.login.password', user, password: 'secret' });
      const [phone, laptop, tablet] = [await loginAs('alice'), await loginAs('alice'), await loginAs('alice')];
      const bob = await loginAs('bob');

      await resolver.logout(await resolver.authenticate(phone.accessToken));
      await expect(resolver.resolve(phone.accessToken)).resolves.toBeUndefined();
      await expect(resolver.resolve(laptop.accessToken)).resolves.toBeDefined();

      await resolver.logoutAll('@alice:example.org');
      for (const token of [laptop, tablet]) await expect(resolver.resolve(token.accessToken)).resolves.toBeUndefined();
      await expect(resolver.resolve(bob.accessToken)).resolves.toEqual({ userId: '@bob:example.org', deviceId: bob.deviceId });
    });
  });
});

describe(AccessTokenService.name, () => {
  const REQUESTER = { userId: '@alice:example.org', deviceId: 'PHONE' };
  let tokens: InMemoryAccessTokenRepository;
  let clock: FixedClock;
  let lookups: jest.SpyInstance;
  const serviceWith = (accessTokenCacheTtlMs?: number) => new AccessTokenService(tokens, clock, { serverName: 'example.org', accessTokenCacheTtlMs });

  beforeEach(async () => {
    tokens = new InMemoryAccessTokenRepository();
    clock = new FixedClock();
    await tokens.saveForDevice({ tokenHash: hashAccessToken('m3p_token'), ...REQUESTER, createdAt: 0 });
    lookups = jest.spyOn(tokens, 'find');
  });

  it('asks the store once per token within the cache TTL (default 5 s), and again after it', async () => {
    const service = serviceWith();
    for (let i = 0; i < 3; i++) await expect(service.resolve('m3p_token')).resolves.toEqual(REQUESTER);
    clock.advance(AUTH_DEFAULTS.accessTokenCacheTtlMs - 1);
    await service.resolve('m3p_token');
    expect(lookups).toHaveBeenCalledTimes(1);
    clock.advance(1);
    await service.resolve('m3p_token');
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('accepts a token revoked elsewhere until its entry expires here: the stated bound', async () => {
    const service = serviceWith(2_000);
    await service.resolve('m3p_token');
    tokens.tokens.clear(); // revoked by another instance
    await expect(service.resolve('m3p_token')).resolves.toEqual(REQUESTER);
    clock.advance(2_000);
    await expect(service.resolve('m3p_token')).resolves.toBeUndefined();
  });

  it('asks the store every time with a TTL of 0, and never remembers an unknown token', async () => {
    const service = serviceWith(0);
    await service.resolve('m3p_token');
    await service.resolve('m3p_token');
    await serviceWith().resolve('m3p_unknown');
    expect(lookups).toHaveBeenCalledTimes(3);
  });

  it('refuses a remembered token the moment it expires, with soft_logout', async () => {
    await tokens.saveForDevice({ tokenHash: hashAccessToken('m3p_token'), ...REQUESTER, createdAt: 0, expiresAt: clock.now() + 1_000 });
    const service = serviceWith(60_000);
    await expect(service.resolve('m3p_token')).resolves.toEqual(REQUESTER);
    clock.advance(1_000);
    await expect(service.resolve('m3p_token')).rejects.toMatchObject({ status: 401, errcode: 'M_UNKNOWN_TOKEN', extra: { soft_logout: true } });
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('forgets what logout and logout/all revoke at once, even while remembered', async () => {
    await tokens.saveForDevice({ tokenHash: hashAccessToken('m3p_laptop'), userId: REQUESTER.userId, deviceId: 'LAPTOP', createdAt: 0 });
    const service = serviceWith(60_000);
    await service.resolve('m3p_token');
    await service.resolve('m3p_laptop');
    await service.logout(REQUESTER);
    await expect(service.resolve('m3p_token')).resolves.toBeUndefined();
    await expect(service.resolve('m3p_laptop')).resolves.toEqual({ userId: REQUESTER.userId, deviceId: 'LAPTOP' });
    await service.logoutAll(REQUESTER.userId);
    await expect(service.resolve('m3p_laptop')).resolves.toBeUndefined();
  });
});

describe(AccountService.name, () => {
  const setup = () => {
    const users = new InMemoryUserRepository();
    const accounts = new AccountService(users, new FakePasswordHasher(), new FixedClock(42), { serverName: 'example.org' });
    return { users, accounts };
  };

  it('creates a user with a hashed password and a creation time', async () => {
    const { users, accounts } = setup();
    const userId = await accounts.createUser('bob', 'pw');
    expect(userId.toString()).toBe('@bob:example.org');
    expect(users.users.get('@bob:example.org')).toEqual({ userId: '@bob:example.org', passwordHash: 'fake:pw', createdAt: 42, admin: false });
  });

  it('refuses a duplicate with M_USER_IN_USE', async () => {
    const { accounts } = setup();
    await accounts.createUser('bob', 'pw');
    await expect(accounts.createUser('bob', 'other')).rejects.toMatchObject({ errcode: 'M_USER_IN_USE' });
  });

  it.each([[''], ['x'.repeat(513)]])('refuses a password of length %#', async (password) => {
    const { accounts } = setup();
    await expect(accounts.createUser('bob', password)).rejects.toMatchObject({ errcode: 'M_INVALID_PARAM' });
  });

  it('refuses an invalid localpart with M_INVALID_USERNAME', async () => {
    const { accounts } = setup();
    await expect(accounts.createUser('Bob', 'pw')).rejects.toMatchObject({ errcode: 'M_INVALID_USERNAME' });
  });
});
