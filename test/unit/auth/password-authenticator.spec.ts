import { Logger } from '@nestjs/common';
import { ACCOUNT_LIMIT_FACTOR, PasswordAuthenticator, PasswordCredentials } from '../../../src/auth/application/password-authenticator';
import { UserIdentifiers } from '../../../src/auth/application/user-identifiers';
import { AUTH_DEFAULTS } from '../../../src/auth/auth.options';
import { PasswordHasher } from '../../../src/auth/domain/ports/password-hasher';
import {
  FakePasswordHasher,
  FixedClock,
  InMemoryFailedAttemptRepository,
  InMemoryUserRepository,
  RecordingAuthMetrics,
  startedPasswordAuthenticator,
} from '../../fakes/auth.fakes';
import { rejection } from '../../support/rejection';

const ALICE = '@alice:example.org';
const BOB = '@bob:example.org';
const NOBODY = '@nobody:example.org';
const { limit, windowMs } = AUTH_DEFAULTS.failedPasswordLimit;

const loginFailed = expect.objectContaining({ name: 'LoginFailedError', status: 403, errcode: 'M_FORBIDDEN' });
const tooManyAttempts = expect.objectContaining({ name: 'TooManyFailedAttemptsError', status: 429, errcode: 'M_LIMIT_EXCEEDED' });

describe(PasswordAuthenticator.name, () => {
  let users: InMemoryUserRepository;
  let hasher: FakePasswordHasher;
  let attempts: InMemoryFailedAttemptRepository;
  let clock: FixedClock;
  let authenticator: PasswordAuthenticator;

  beforeEach(async () => {
    users = new InMemoryUserRepository();
    await users.create({ userId: ALICE, passwordHash: 'fake:alice-secret', createdAt: 0, admin: false });
    await users.create({ userId: BOB, passwordHash: 'fake:bob-secret', createdAt: 0, admin: false });
    hasher = new FakePasswordHasher();
    attempts = new InMemoryFailedAttemptRepository();
    clock = new FixedClock();
    authenticator = await startedPasswordAuthenticator({ users, hasher, attempts, clock });
  });

  const as = (user: string, password: string): PasswordCredentials => ({ identifier: { type: 'm.id.user', user }, password });
  const wrongPassword = (userId = ALICE) => expect(authenticator.verify(userId, 'wrong')).rejects.toThrow(loginFailed);

  describe('identify', () => {
    it.each([
      ['the localpart', as('alice', 'anything')],
      ['the full user ID', as('@alice:example.org', 'anything')],
      ['the legacy top-level user', { user: '@Alice:example.org', password: 'anything' }],
    ])('names the user by %s, without checking or counting the password', async (_case, credentials) => {
      await expect(authenticator.identify(credentials)).resolves.toBe(ALICE);
      expect(hasher.verifications).toEqual([]);
      expect(attempts.attempts.size).toBe(0);
    });

    it('names the user ID an m.id.user identifier gives, whether or not that account exists', async () => {
      await expect(authenticator.identify(as('nobody', 'anything'))).resolves.toBe(NOBODY);
    });

    it.each([
      ['a user of another server', as('@alice:other.example.org', 'anything')],
      ['an invalid localpart', as('alice smith', 'anything')],
    ])('names nobody with %s', async (_case, credentials) => {
      await expect(authenticator.identify(credentials)).resolves.toBeUndefined();
      expect(hasher.verifications).toEqual([]);
    });

    it.each([
      ['no password', { identifier: { type: 'm.id.user', user: 'alice' } }, 'M_MISSING_PARAM'],
      ['no identifier', { password: 'anything' }, 'M_MISSING_PARAM'],
      ['no user in the identifier', { identifier: { type: 'm.id.user' }, password: 'anything' }, 'M_MISSING_PARAM'],
      ['an unknown identifier type', { identifier: { type: 'com.example.id' }, password: 'anything' }, 'M_UNKNOWN'],
    ] as [string, PasswordCredentials, string][])('refuses credentials with %s with 400 %s', async (_case, credentials, errcode) => {
      await expect(authenticator.identify(credentials)).rejects.toMatchObject({ status: 400, errcode });
      await expect(authenticator.authenticate(credentials)).rejects.toMatchObject({ status: 400, errcode });
      expect(hasher.verifications).toEqual([]);
      expect(attempts.attempts.size).toBe(0);
    });
  });

  describe('verify', () => {
    it("accepts the account's own password", async () => {
      await expect(authenticator.verify(ALICE, 'alice-secret')).resolves.toBeUndefined();
      expect(hasher.verifications).toEqual(['fake:alice-secret']);
    });

    it('refuses a wrong password with 403 M_FORBIDDEN, and counts it against the account', async () => {
      await wrongPassword();
      expect(attempts.countFor(ALICE)).toBe(1);
      expect(attempts.countFor(BOB)).toBe(0);
    });

    it('refuses an account that does not exist as a wrong password, after checking a decoy hash so that it takes as long', async () => {
      await expect(authenticator.verify(NOBODY, 'alice-secret')).rejects.toThrow(loginFailed);
      expect(hasher.verifications).toEqual([expect.stringMatching(/^fake:[0-9a-f]{64}$/)]);
    });

    it('limits user IDs without an account exactly as accounts, so that the 429 does not tell which exist', async () => {
      for (let i = 0; i < limit; i++) await expect(authenticator.verify(NOBODY, 'guess')).rejects.toThrow(loginFailed);
      const forNobody = await rejection(authenticator.verify(NOBODY, 'guess'));
      for (let i = 0; i < limit; i++) await expect(authenticator.verify(ALICE, 'guess')).rejects.toThrow(loginFailed);
      const forAlice = await rejection(authenticator.verify(ALICE, 'guess'));
      expect(forNobody.toResponseBody()).toEqual(forAlice.toResponseBody());
      expect(forNobody.status).toBe(429);
    });

    it('counts an identifier that names nobody under that identifier, as given, and limits it too', async () => {
      const identifiers = new UserIdentifiers({ serverName: 'example.org' });
      identifiers.register('com.example.badge', async () => undefined);
      const withBadges = await startedPasswordAuthenticator({ users, hasher, attempts, identifiers, clock });
      const unknownBadge = { identifier: { type: 'com.example.badge', badge: '1234' }, password: 'guess' };
      for (let i = 0; i < limit; i++) await expect(withBadges.authenticate(unknownBadge)).rejects.toThrow(loginFailed);
      await expect(withBadges.authenticate(unknownBadge)).rejects.toMatchObject({ status: 429, errcode: 'M_LIMIT_EXCEEDED' });
      expect(attempts.countFor('com.example.badge:{"badge":"1234","type":"com.example.badge"}')).toBe(limit);
    });

    it('counts nothing when the password could not be checked, and passes the error on', async () => {
      const broken: PasswordHasher = {
        hash: async (password) => `fake:${password}`,
        verify: async () => {
          throw new Error('hasher out of memory');
        },
      };
      const failing = await startedPasswordAuthenticator({ users, hasher: broken, attempts, clock });
      await expect(failing.verify(ALICE, 'alice-secret')).rejects.toThrow('hasher out of memory');
      expect(attempts.countFor(ALICE)).toBe(0);
    });
  });

  describe('wrong passwords', () => {
    it(`are limited to ${limit} per account in ${windowMs} ms: then 429 M_LIMIT_EXCEEDED, even for the right password`, async () => {
      const t0 = clock.now();
      for (let i = 0; i < limit; i++) {
        await wrongPassword();
        clock.advance(60_000);
      }
      // The oldest of the five was at t0; the next attempt is allowed once it leaves the window.
      const limited = await rejection(authenticator.verify(ALICE, 'wrong'));
      expect(limited).toEqual(tooManyAttempts);
      expect(limited.toResponseBody()).toEqual({ errcode: 'M_LIMIT_EXCEEDED', error: expect.any(String), retry_after_ms: t0 + windowMs - clock.now() });
      await expect(authenticator.verify(ALICE, 'alice-secret')).rejects.toThrow(tooManyAttempts);
    });

    it('are refused without the password being checked, and without being counted', async () => {
      for (let i = 0; i < limit; i++) await wrongPassword();
      hasher.verifications = [];
      for (let i = 0; i < limit; i++) {
        await expect(authenticator.verify(ALICE, 'wrong')).rejects.toThrow(tooManyAttempts);
        await expect(authenticator.verify(ALICE, 'alice-secret')).rejects.toThrow(tooManyAttempts);
      }
      expect(hasher.verifications).toEqual([]);
      expect(attempts.countFor(ALICE)).toBe(limit);
    });

    it('are refused until exactly retry_after_ms has passed, and not a millisecond longer', async () => {
      for (let i = 0; i < limit; i++) {
        await wrongPassword();
        clock.advance(1_000);
      }
      const { retry_after_ms: retryAfterMs } = (await rejection(authenticator.verify(ALICE, 'alice-secret'))).extra as { retry_after_ms: number };
      expect(retryAfterMs).toBe(windowMs - limit * 1_000);

      clock.advance(retryAfterMs - 1);
      const stillLimited = await rejection(authenticator.verify(ALICE, 'alice-secret'));
      expect(stillLimited).toEqual(tooManyAttempts);
      expect(stillLimited.extra.retry_after_ms).toBe(1);
      clock.advance(1);
      await expect(authenticator.verify(ALICE, 'alice-secret')).resolves.toBeUndefined();
    });

    it('do not extend the limit while refused', async () => {
      for (let i = 0; i < limit; i++) await wrongPassword();
      clock.advance(windowMs / 2);
      for (let i = 0; i < limit + 1; i++) await expect(authenticator.verify(ALICE, 'wrong')).rejects.toThrow(tooManyAttempts);
      clock.advance(windowMs / 2);
      await expect(authenticator.verify(ALICE, 'alice-secret')).resolves.toBeUndefined();
    });

    it('are counted per account', async () => {
      for (let i = 0; i < limit; i++) await wrongPassword(ALICE);
      await expect(authenticator.verify(ALICE, 'alice-secret')).rejects.toThrow(tooManyAttempts);
      await expect(authenticator.verify(BOB, 'bob-secret')).resolves.toBeUndefined();
      await wrongPassword(BOB);
    });

    it('count against the account whichever identifier named it', async () => {
      const identifiers: PasswordCredentials[] = [
        as('alice', 'wrong'),
        as('@alice:example.org', 'wrong'),
        as('@ALICE:example.org', 'wrong'),
        { user: 'alice', password: 'wrong' },
        { user: '@alice:example.org', password: 'wrong' },
      ];
      expect(identifiers).toHaveLength(limit);
      for (const credentials of identifiers) await expect(authenticator.authenticate(credentials)).rejects.toThrow(loginFailed);
      await expect(authenticator.authenticate(as('alice', 'alice-secret'))).rejects.toThrow(tooManyAttempts);
    });

    it('are forgotten once the right password is given', async () => {
      for (let i = 0; i < limit - 1; i++) await wrongPassword();
      await authenticator.verify(ALICE, 'alice-secret');
      expect(attempts.countFor(ALICE)).toBe(0);
      for (let i = 0; i < limit; i++) await wrongPassword();
      await expect(authenticator.verify(ALICE, 'wrong')).rejects.toThrow(tooManyAttempts);
    });

    it("are not forgotten when another account's right password is given", async () => {
      for (let i = 0; i < limit - 1; i++) await wrongPassword(ALICE);
      await authenticator.verify(BOB, 'bob-secret');
      expect(attempts.countFor(ALICE)).toBe(limit - 1);
    });

    it('follow the limit the options give', async () => {
      const strict = await startedPasswordAuthenticator({
        users,
        attempts,
        clock,
        options: { serverName: 'example.org', failedPasswordLimit: { limit: 2, windowMs: 1_000 } },
      });
      for (let i = 0; i < 2; i++) await expect(strict.verify(ALICE, 'wrong')).rejects.toThrow(loginFailed);
      await expect(rejection(strict.verify(ALICE, 'alice-secret'))).resolves.toMatchObject({ status: 429, extra: { retry_after_ms: 1_000 } });
      clock.advance(1_000);
      await expect(strict.verify(ALICE, 'alice-secret')).resolves.toBeUndefined();
    });
  });

  /** An account with many identifiers: every badge is Alice's, and each is its own typed identifier. */
  describe("wrong passwords through an account's many identifiers", () => {
    let withBadges: PasswordAuthenticator;
    let metrics: RecordingAuthMetrics;
    const badge = (number: number, password: string): PasswordCredentials => ({ identifier: { type: 'com.example.badge', badge: String(number) }, password });
    beforeEach(async () => {
      const identifiers = new UserIdentifiers({ serverName: 'example.org' });
      identifiers.register('com.example.badge', async () => ALICE, (identifier) => `badge:${String(identifier.badge)}`);
      metrics = new RecordingAuthMetrics();
      withBadges = await startedPasswordAuthenticator({ users, hasher, attempts, identifiers, clock, metrics });
    });
    /** `limit` wrong passwords with each of `count` badges: each badge gets to its own limit, no further. */
    const exhaust = async (count: number) => {
      for (let number = 1; number <= count; number++) {
        for (let i = 0; i < limit; i++) await expect(withBadges.authenticate(badge(number, 'wrong'))).rejects.toThrow(loginFailed);
      }
    };

    it('are counted under each identifier typed, and against the account, which no 429 shows', async () => {
      await exhaust(2);
      expect({ badge1: attempts.countFor('badge:1'), badge2: attempts.countFor('badge:2'), account: attempts.countForAccount(ALICE) }).toEqual({
        badge1: limit,
        badge2: limit,
        account: 2 * limit,
      });
      expect(metrics.counted).toEqual([]);
      await expect(withBadges.authenticate(badge(1, 'alice-secret'))).rejects.toThrow(tooManyAttempts);
      await expect(withBadges.authenticate(as('alice', 'alice-secret'))).resolves.toBe(ALICE);
      // The operator's metrics count the refusal under the limit that made it.
      expect(metrics.counted).toEqual(['failedPasswordLimitReached identifier']);
    });

    it(`stop being checked, silently, after ${ACCOUNT_LIMIT_FACTOR} times the limit: every password gets the 403 of a wrong one`, async () => {
      const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      await exhaust(ACCOUNT_LIMIT_FACTOR);
      hasher.verifications = [];
      const right = await rejection(withBadges.authenticate(badge(ACCOUNT_LIMIT_FACTOR + 1, 'alice-secret')));
      const wrong = await rejection(withBadges.authenticate(badge(ACCOUNT_LIMIT_FACTOR + 2, 'wrong')));
      const byUserId = await rejection(withBadges.authenticate(as('alice', 'alice-secret')));
      const byNobody = await rejection(withBadges.authenticate(as('nobody', 'alice-secret')));
      expect([right, wrong, byUserId].map((error) => error.toResponseBody())).toEqual(Array(3).fill(byNobody.toResponseBody()));
      expect(byNobody.status).toBe(403);
      // The hash is verified all the same, so that it takes as long as a real check.
      expect(hasher.verifications).toEqual(['fake:alice-secret', 'fake:alice-secret', 'fake:alice-secret', expect.stringMatching(/^fake:[0-9a-f]{64}$/)]);
      // The operator is told, by user ID; nobody else is.
      expect(warnings).toHaveBeenCalledWith({ userId: ALICE }, expect.stringMatching(/password is not checked/));
      warnings.mockRestore();
      // And the metrics, once for each password not checked (nobody's was checked: its count is its own).
      expect(metrics.counted).toEqual(Array(3).fill('failedPasswordLimitReached account'));
      // Other accounts are not affected; the account itself is again once its oldest failures leave the window.
      await expect(withBadges.verify(BOB, 'bob-secret')).resolves.toBeUndefined();
      clock.advance(windowMs);
      await expect(withBadges.authenticate(as('alice', 'alice-secret'))).resolves.toBe(ALICE);
    });

    it('are forgotten, under the identifier and the account, once the right password is given', async () => {
      await exhaust(ACCOUNT_LIMIT_FACTOR - 1);
      await expect(withBadges.authenticate(badge(ACCOUNT_LIMIT_FACTOR, 'alice-secret'))).resolves.toBe(ALICE);
      expect(attempts.countForAccount(ALICE)).toBe(0);
      expect(attempts.countFor('badge:1')).toBe(limit); // another identifier's count is its own
    });
  });

  describe('authenticate', () => {
    it('returns the user the credentials name when the password is theirs', async () => {
      await expect(authenticator.authenticate(as('alice', 'alice-secret'))).resolves.toBe(ALICE);
    });

    it('refuses a wrong password and an unknown user alike, with 403 M_FORBIDDEN', async () => {
      const wrong = await rejection(authenticator.authenticate(as('alice', 'wrong')));
      const unknown = await rejection(authenticator.authenticate(as('nobody', 'alice-secret')));
      expect(wrong).toEqual(loginFailed);
      expect(unknown.toResponseBody()).toEqual(wrong.toResponseBody());
    });
  });

  describe('purgeExpired', () => {
    it('deletes the attempts that no longer count, and returns how many', async () => {
      await wrongPassword(ALICE);
      await wrongPassword(BOB);
      clock.advance(1);
      await wrongPassword(ALICE);
      clock.advance(windowMs);

      // Each wrong password is counted twice: under what was typed, and against the account.
      await expect(authenticator.purgeExpired()).resolves.toBe(4);
      expect(attempts.countFor(ALICE)).toBe(1);
      expect(attempts.countForAccount(ALICE)).toBe(1);
      expect(attempts.countFor(BOB)).toBe(0);
    });
  });
});
