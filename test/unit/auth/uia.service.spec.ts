import { PasswordAuthenticator } from '../../../src/auth/application/password-authenticator';
import { MAX_OPEN_SESSIONS_PER_USER, PASSWORD_STAGE, UiaAuth, UiaRequest, UiaService } from '../../../src/auth/application/uia.service';
import { AUTH_DEFAULTS } from '../../../src/auth/auth.options';
import { CLAIM_TIMEOUT_MS } from '../../../src/auth/domain/uia-session';
import { UiaChallenge } from '../../../src/auth/domain/uia.errors';
import {
  FakePasswordHasher,
  FakePasswordVerifier,
  FixedClock,
  InMemoryFailedAttemptRepository,
  InMemoryUiaSessionRepository,
  InMemoryUserRepository,
  RecordingAuthMetrics,
  startedPasswordAuthenticator,
} from '../../fakes/auth.fakes';
import { rejection } from '../../support/rejection';

const ALICE = '@alice:example.org';
const BOB = '@bob:example.org';
const { uiaSessionLifetimeMs: sessionLifetimeMs } = AUTH_DEFAULTS;
const { limit, windowMs } = AUTH_DEFAULTS.failedPasswordLimit;

const FLOWS_BODY = [{ stages: [PASSWORD_STAGE] }];

const unknownSession = expect.objectContaining({ name: 'UnknownUiaSessionError', status: 400, errcode: 'M_UNKNOWN' });
const requestChanged = expect.objectContaining({ name: 'UiaRequestChangedError', status: 403, errcode: 'M_FORBIDDEN' });
const sessionInUse = expect.objectContaining({ name: 'UiaSessionInUseError', status: 429, errcode: 'M_LIMIT_EXCEEDED' });
const tooManyAttempts = expect.objectContaining({ name: 'TooManyFailedAttemptsError', status: 429, errcode: 'M_LIMIT_EXCEEDED' });
const wrongUser = expect.objectContaining({ name: 'UiaWrongUserError', status: 403, errcode: 'M_FORBIDDEN' });

async function challenge(promise: Promise<unknown>): Promise<UiaChallenge> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(UiaChallenge);
  return error as UiaChallenge;
}

describe(UiaService.name, () => {
  let sessions: InMemoryUiaSessionRepository;
  let attempts: InMemoryFailedAttemptRepository;
  let hasher: FakePasswordHasher;
  let clock: FixedClock;
  let authenticator: PasswordAuthenticator;
  let service: UiaService;

  beforeEach(async () => {
    sessions = new InMemoryUiaSessionRepository();
    attempts = new InMemoryFailedAttemptRepository();
    hasher = new FakePasswordHasher();
    clock = new FixedClock();
    const users = new InMemoryUserRepository();
    await users.create({ userId: ALICE, passwordHash: 'fake:alice-secret', createdAt: 0, admin: false });
    await users.create({ userId: BOB, passwordHash: 'fake:bob-secret', createdAt: 0, admin: false });
    const options = { serverName: 'example.org' };
    authenticator = await startedPasswordAuthenticator({ users, hasher, attempts, clock, options });
    service = new UiaService(sessions, authenticator, clock, options);
  });

  const request: UiaRequest = {
    userId: ALICE,
    method: 'POST',
    path: '/_matrix/client/v3/account/3pid/add',
    body: { sid: 'abc', client_secret: 'monkeys' },
  };
  const password = (secret: string, session?: string, who = 'alice'): UiaAuth => ({
    type: PASSWORD_STAGE,
    identifier: { type: 'm.id.user', user: who },
    password: secret,
    ...(session === undefined ? {} : { session }),
  });
  /** Starts a session as a client does: the request without `auth`. */
  const startSession = async (req: UiaRequest = request) => (await challenge(service.authorise(req, undefined))).challenge.session;
  const wrongPassword = () => challenge(service.authorise(request, password('wrong')));

  describe('a request without auth', () => {
    it.each([
      ['no auth', undefined],
      ['an empty auth', {}],
    ])('with %s is answered with the flows and a new stored session, and no errcode', async (_case, auth) => {
      const error = await challenge(service.authorise(request, auth));
      const { session } = error.challenge;
      expect(error.status).toBe(401);
      expect(error.toResponseBody()).toEqual({ flows: FLOWS_BODY, params: {}, session });
      expect(sessions.rows.get(session)).toMatchObject({ userId: ALICE, completed: [], createdAt: clock.now() });
      expect(sessions.rows.get(session)?.claimedAt).toBeUndefined();
    });

    it('starts a new session every time', async () => {
      const first = await startSession();
      const second = await startSession();
      expect(second).not.toBe(first);
      expect(sessions.rows.size).toBe(2);
    });
  });

  describe(`at most ${MAX_OPEN_SESSIONS_PER_USER} open sessions per user`, () => {
    /** Starts the user's sessions 1 ms apart, oldest first. */
    const startSessions = async (count: number, req: UiaRequest = request) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push(await startSession(req));
        clock.advance(1);
      }
      return ids;
    };
    const sessionsOf = (userId: string) => [...sessions.rows.values()].filter((row) => row.userId === userId).map((row) => row.id);

    it(`keeps ${MAX_OPEN_SESSIONS_PER_USER}`, async () => {
      const started = await startSessions(MAX_OPEN_SESSIONS_PER_USER);
      expect(sessionsOf(ALICE).sort()).toEqual([...started].sort());
    });

    it('drops the oldest when one more is started, and the dropped session is unknown', async () => {
      const [oldest, ...rest] = await startSessions(MAX_OPEN_SESSIONS_PER_USER);
      const newest = await startSession();
      expect(sessionsOf(ALICE).sort()).toEqual([...rest, newest].sort());
      await expect(service.authorise(request, password('alice-secret', oldest))).rejects.toThrow(unknownSession);
      await expect(service.authorise(request, password('alice-secret', rest[0]))).resolves.toBe(rest[0]);
    });

    it('counts a session started by a stage without a session', async () => {
      const [oldest, second, ...rest] = await startSessions(MAX_OPEN_SESSIONS_PER_USER);
      const { challenge: failed } = await wrongPassword();
      clock.advance(1);
      const authorised = await service.authorise(request, password('alice-secret'));
      expect(sessionsOf(ALICE).sort()).toEqual([...rest, failed.session, authorised].sort());
      expect(sessions.rows.has(oldest)).toBe(false);
      expect(sessions.rows.has(second)).toBe(false);
    });

    it("leaves other users' sessions alone", async () => {
      const bobs = await startSessions(3, { ...request, userId: BOB });
      await startSessions(MAX_OPEN_SESSIONS_PER_USER + 5);
      expect(sessionsOf(BOB).sort()).toEqual([...bobs].sort());
      expect(sessionsOf(ALICE)).toHaveLength(MAX_OPEN_SESSIONS_PER_USER);
    });
  });

  describe('the password stage', () => {
    it('answers a wrong password with 401, the stage error, nothing completed and the same session', async () => {
      const session = await startSession();
      const error = await challenge(service.authorise(request, password('wrong', session)));
      expect(error.status).toBe(401);
      expect(error.toResponseBody()).toEqual({
        errcode: 'M_FORBIDDEN',
        error: expect.any(String),
        completed: [],
        flows: FLOWS_BODY,
        params: {},
        session,
      });
      expect(sessions.rows.get(session)).toMatchObject({ completed: [] });
      expect(sessions.rows.get(session)?.claimedAt).toBeUndefined();
    });

    it('stores the session a wrong password without a session started, so that the client can continue it', async () => {
      const error = await wrongPassword();
      expect(error.toResponseBody()).toMatchObject({ errcode: 'M_FORBIDDEN', completed: [] });
      expect(sessions.rows.has(error.challenge.session)).toBe(true);
    });

    it('authorises the request with the right password, and claims the session for it', async () => {
      const session = await startSession();
      await expect(service.authorise(request, password('alice-secret', session))).resolves.toBe(session);
      expect(sessions.rows.get(session)).toMatchObject({ completed: [PASSWORD_STAGE], claimedAt: clock.now() });
    });

    it('authorises with the right password given without a session, in one step', async () => {
      const session = await service.authorise(request, password('alice-secret'));
      expect(sessions.rows.get(session)).toMatchObject({ userId: ALICE, completed: [PASSWORD_STAGE], claimedAt: clock.now() });
    });

    it.each([
      ['m.id.user with the localpart', { identifier: { type: 'm.id.user', user: 'alice' } }],
      ['m.id.user with the full user ID', { identifier: { type: 'm.id.user', user: '@alice:example.org' } }],
      ['the legacy top-level user', { user: 'alice' }],
      ['the legacy top-level user, as a user ID in another case', { user: '@Alice:example.org' }],
    ])('accepts %s', async (_case, who) => {
      const session = await startSession();
      await expect(service.authorise(request, { type: PASSWORD_STAGE, session, password: 'alice-secret', ...who })).resolves.toBe(session);
    });

    it('refuses an unknown stage type with 400 M_UNKNOWN, and leaves the session as it was', async () => {
      const session = await startSession();
      const before = sessions.rows.get(session);
      await expect(service.authorise(request, { type: 'm.login.recaptcha', session })).rejects.toMatchObject({
        status: 400,
        errcode: 'M_UNKNOWN',
      });
      expect(sessions.rows.get(session)).toEqual(before);
    });

    it.each([
      ['no password', { type: PASSWORD_STAGE, identifier: { type: 'm.id.user', user: 'alice' } }, 'M_MISSING_PARAM'],
      ['no identifier', { type: PASSWORD_STAGE, password: 'wrong' }, 'M_MISSING_PARAM'],
      ['no user in the identifier', { type: PASSWORD_STAGE, identifier: { type: 'm.id.user' }, password: 'wrong' }, 'M_MISSING_PARAM'],
      ['an unknown identifier type', { type: PASSWORD_STAGE, identifier: { type: 'com.example.id' }, password: 'wrong' }, 'M_UNKNOWN'],
    ])('refuses a stage with %s with 400 %s, and does not count it as a wrong password', async (_case, auth, errcode) => {
      const session = await startSession();
      for (let i = 0; i < limit + 1; i++) {
        await expect(service.authorise(request, { ...auth, session } as UiaAuth)).rejects.toMatchObject({ status: 400, errcode });
      }
      expect(hasher.verifications).toEqual([]);
      expect(attempts.countFor(ALICE)).toBe(0);
      await expect(service.authorise(request, password('alice-secret', session))).resolves.toBe(session);
    });
  });

  /** UIA must tell Alice nothing about other accounts' passwords: her token is not a way to guess Bob's. */
  describe('credentials naming anyone but the logged-in user', () => {
    it.each([
      ["another user's right password", password('bob-secret', undefined, 'bob')],
      ["another user's wrong password", password('wrong', undefined, 'bob')],
      ["another user's full user ID and right password", password('bob-secret', undefined, '@bob:example.org')],
      ['a user that does not exist', password('alice-secret', undefined, 'nobody')],
      ["a user of another server with the user's own password", password('alice-secret', undefined, '@alice:other.example.org')],
      ['an invalid user ID', password('alice-secret', undefined, 'alice smith')],
    ])('are refused for %s with 403 M_FORBIDDEN, no password checked and nothing counted', async (_case, auth) => {
      const session = await startSession();
      await expect(service.authorise(request, { ...auth, session })).rejects.toThrow(wrongUser);
      expect(hasher.verifications).toEqual([]);
      expect(attempts.attempts.size).toBe(0);
      expect(sessions.rows.get(session)).toMatchObject({ completed: [] });
      expect(sessions.rows.get(session)?.claimedAt).toBeUndefined();
    });

    it("answer the same whether another user's password is right or wrong", async () => {
      const right = await rejection(service.authorise(request, password('bob-secret', await startSession(), 'bob')));
      const wrong = await rejection(service.authorise(request, password('wrong', await startSession(), 'bob')));
      expect(right.status).toBe(403);
      expect(right.toResponseBody()).toEqual(wrong.toResponseBody());
    });

    it("are refused even when the other account is locked out, and do not lock the user's own account", async () => {
      for (let i = 0; i < limit; i++) await expect(authenticator.verify(BOB, 'wrong')).rejects.toMatchObject({ status: 403 });
      for (let i = 0; i < limit + 1; i++) {
        await expect(service.authorise(request, password('bob-secret', undefined, 'bob'))).rejects.toThrow(wrongUser);
      }
      expect(attempts.countFor(BOB)).toBe(limit);
      expect(attempts.countFor(ALICE)).toBe(0);
      await expect(service.authorise(request, password('alice-secret'))).resolves.toEqual(expect.any(String));
    });
  });

  describe('a session that authorised its request', () => {
    let session: string;
    beforeEach(async () => {
      session = await startSession();
      await service.authorise(request, password('alice-secret', session));
    });

    it('authorises nothing else while the request is served: 429 M_LIMIT_EXCEEDED', async () => {
      await expect(service.authorise(request, { session })).rejects.toThrow(sessionInUse);
      await expect(service.authorise(request, password('alice-secret', session))).rejects.toThrow(sessionInUse);
    });

    it(`answers 429 for ${CLAIM_TIMEOUT_MS} ms after the claim before looking at any password`, async () => {
      hasher.verifications = [];
      clock.advance(CLAIM_TIMEOUT_MS - 1);
      await expect(service.authorise(request, password('wrong', session))).rejects.toThrow(sessionInUse);
      await expect(service.authorise(request, password('bob-secret', session, 'bob'))).rejects.toThrow(sessionInUse);
      await expect(service.authorise(request, password('alice-secret', session))).rejects.toThrow(sessionInUse);
      expect(hasher.verifications).toEqual([]);
      expect(attempts.attempts.size).toBe(0);
    });

    it('treats a claim abandoned that long as the end of the session: 400 M_UNKNOWN, before looking at any password', async () => {
      const claimedAt = sessions.rows.get(session)?.claimedAt;
      hasher.verifications = [];
      clock.advance(CLAIM_TIMEOUT_MS);
      await expect(service.authorise(request, { session })).rejects.toThrow(unknownSession);
      await expect(service.authorise(request, password('wrong', session))).rejects.toThrow(unknownSession);
      await expect(service.authorise(request, password('alice-secret', session))).rejects.toThrow(unknownSession);
      expect(hasher.verifications).toEqual([]);
      expect(attempts.attempts.size).toBe(0);
      expect(sessions.rows.get(session)).toMatchObject({ completed: [PASSWORD_STAGE], claimedAt });
    });

    /**
     * With one flow of one stage a claimed session has always completed it, so the stage is skipped
     * anyway; a stored row claimed with nothing completed shows that the claim is checked first.
     */
    it.each([
      ['still in use', CLAIM_TIMEOUT_MS - 1, sessionInUse],
      ['abandoned', CLAIM_TIMEOUT_MS, unknownSession],
    ])('checks the claim before the password stage: a session %s is refused as such', async (_case, age, refusal) => {
      const claimedAt = clock.now();
      sessions.rows.set('CLAIMED', { ...sessions.rows.get(session)!, id: 'CLAIMED', completed: [], claimedAt });
      hasher.verifications = [];
      clock.advance(age);
      await expect(service.authorise(request, password('wrong', 'CLAIMED'))).rejects.toThrow(refusal);
      await expect(service.authorise(request, password('alice-secret', 'CLAIMED'))).rejects.toThrow(refusal);
      expect(hasher.verifications).toEqual([]);
      expect(attempts.attempts.size).toBe(0);
      expect(sessions.rows.get('CLAIMED')).toMatchObject({ completed: [], claimedAt });
    });

    it('still checks that the request is the same first: 403 for another request', async () => {
      clock.advance(CLAIM_TIMEOUT_MS);
      await expect(service.authorise({ ...request, path: '/_matrix/client/v3/account/3pid/delete' }, { session })).rejects.toThrow(requestChanged);
    });

    it('authorises the same request again, without a password, once that request failed', async () => {
      await service.failed(session);
      expect(sessions.rows.get(session)?.claimedAt).toBeUndefined();
      await expect(service.authorise(request, { session })).resolves.toBe(session);
      expect(sessions.rows.get(session)?.claimedAt).toBe(clock.now());
    });

    it('is unknown (400 M_UNKNOWN) once that request succeeded', async () => {
      await service.succeeded(session);
      expect(sessions.rows.has(session)).toBe(false);
      await expect(service.authorise(request, { session })).rejects.toThrow(unknownSession);
      await expect(service.authorise(request, password('alice-secret', session))).rejects.toThrow(unknownSession);
    });
  });

  it('ignores failed() for a session that no longer exists', async () => {
    await expect(service.failed('no-such-session')).resolves.toBeUndefined();
    expect(sessions.rows.size).toBe(0);
  });

  it('lets exactly one of two concurrent requests with the same session through', async () => {
    const session = await startSession();
    const outcomes = await Promise.allSettled([
      service.authorise(request, password('alice-secret', session)),
      service.authorise(request, password('alice-secret', session)),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toEqual([{ status: 'fulfilled', value: session }]);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([{ status: 'rejected', reason: sessionInUse }]);
  });

  it('answers 429 when another request saved the session first, and leaves it unclaimed for a retry', async () => {
    const session = await startSession();
    sessions.conflictsToSimulate = 1;
    await expect(service.authorise(request, password('alice-secret', session))).rejects.toThrow(sessionInUse);
    expect(sessions.rows.get(session)?.claimedAt).toBeUndefined();
    await expect(service.authorise(request, password('alice-secret', session))).resolves.toBe(session);
  });

  describe('the session is bound to its request', () => {
    it.each([
      ['another body', { ...request, body: { sid: 'abc', client_secret: 'other' } }],
      ['a body with another field', { ...request, body: { ...request.body, id_server: 'id.example.org' } }],
      ['another path', { ...request, path: '/_matrix/client/v3/account/3pid/delete' }],
      ['another method', { ...request, method: 'PUT' }],
      ['another user', { ...request, userId: BOB }],
    ])('refuses %s with 403 M_FORBIDDEN, even with the right password', async (_case, other) => {
      const session = await startSession();
      const who = other.userId === BOB ? 'bob' : 'alice';
      await expect(service.authorise(other, password(`${who}-secret`, session, who))).rejects.toThrow(requestChanged);
      await expect(service.authorise(other, { session })).rejects.toThrow(requestChanged);
      expect(sessions.rows.get(session)).toMatchObject({ completed: [] });
      expect(sessions.rows.get(session)?.claimedAt).toBeUndefined();
    });

    it('does not care about the order of keys in the body, at any depth', async () => {
      const original = { ...request, body: { a: 1, nested: { x: 1, y: [{ p: 1, q: 2 }] } } };
      const reordered = { ...request, body: { nested: { y: [{ q: 2, p: 1 }], x: 1 }, a: 1 } };
      const session = await startSession(original);
      await expect(service.authorise(reordered, password('alice-secret', session))).resolves.toBe(session);
    });

    it.each([
      ['array items in another order', { a: 1, nested: { x: 1, y: [2, 1] } }],
      ['a number turned into a string', { a: '1', nested: { x: 1, y: [1, 2] } }],
      ['a nested value changed', { a: 1, nested: { x: 2, y: [1, 2] } }],
    ])('refuses the same keys with %s', async (_case, body) => {
      const session = await startSession({ ...request, body: { a: 1, nested: { x: 1, y: [1, 2] } } });
      await expect(service.authorise({ ...request, body }, password('alice-secret', session))).rejects.toThrow(requestChanged);
    });
  });

  describe('expiry', () => {
    it(`accepts a session until ${sessionLifetimeMs} ms after it started`, async () => {
      const session = await startSession();
      clock.advance(sessionLifetimeMs - 1);
      await expect(service.authorise(request, password('alice-secret', session))).resolves.toBe(session);
    });

    it('treats a session past its lifetime as unknown: 400 M_UNKNOWN', async () => {
      const session = await startSession();
      clock.advance(sessionLifetimeMs);
      await expect(service.authorise(request, password('alice-secret', session))).rejects.toThrow(unknownSession);
    });

    it('purges sessions past their lifetime, and returns how many', async () => {
      const old = await startSession();
      const { challenge: oldFailure } = await wrongPassword();
      clock.advance(sessionLifetimeMs);
      const young = await startSession();
      const { challenge: youngFailure } = await wrongPassword();
      clock.advance(1);

      await expect(service.purgeExpired()).resolves.toBe(2);
      expect([...sessions.rows.keys()].sort()).toEqual([young, youngFailure.session].sort());
      expect(sessions.rows.has(old)).toBe(false);
      expect(sessions.rows.has(oldFailure.session)).toBe(false);
    });

    it('follows the session lifetime the options give', async () => {
      const shortLived = new UiaService(sessions, authenticator, clock, { serverName: 'example.org', uiaSessionLifetimeMs: 1_000 });
      const session = (await challenge(shortLived.authorise(request, undefined))).challenge.session;
      clock.advance(999);
      await expect(shortLived.purgeExpired()).resolves.toBe(0);
      clock.advance(1);
      await expect(shortLived.authorise(request, password('alice-secret', session))).rejects.toThrow(unknownSession);
      clock.advance(1);
      await expect(shortLived.purgeExpired()).resolves.toBe(1);
    });
  });

  /** The limiter itself is PasswordAuthenticator's (see its spec); these check UIA goes through it. */
  describe("the user's own wrong passwords", () => {
    it(`count against the account: after ${limit}, 429 M_LIMIT_EXCEEDED, even for the right password`, async () => {
      const t0 = clock.now();
      for (let i = 0; i < limit; i++) {
        const error = await wrongPassword();
        expect(error.toResponseBody()).toMatchObject({ errcode: 'M_FORBIDDEN' });
        clock.advance(60_000);
      }
      expect(attempts.countFor(ALICE)).toBe(limit);
      const limited = await rejection(service.authorise(request, password('wrong')));
      expect(limited).toEqual(tooManyAttempts);
      expect(limited.toResponseBody()).toEqual({ errcode: 'M_LIMIT_EXCEEDED', error: expect.any(String), retry_after_ms: t0 + windowMs - clock.now() });

      const session = await startSession();
      await expect(service.authorise(request, password('alice-secret', session))).rejects.toThrow(tooManyAttempts);
      expect(sessions.rows.get(session)).toMatchObject({ completed: [] });
      expect(sessions.rows.get(session)?.claimedAt).toBeUndefined();

      clock.advance(limited.extra.retry_after_ms as number);
      await expect(service.authorise(request, password('alice-secret', session))).resolves.toBe(session);
    });

    it('share the limit with login', async () => {
      for (let i = 0; i < limit; i++) await wrongPassword();
      await expect(authenticator.authenticate({ user: 'alice', password: 'alice-secret' })).rejects.toThrow(tooManyAttempts);
    });

    it('are limited after wrong passwords at login', async () => {
      for (let i = 0; i < limit; i++) await expect(authenticator.authenticate({ user: 'alice', password: 'wrong' })).rejects.toMatchObject({ status: 403 });
      await expect(service.authorise(request, password('alice-secret'))).rejects.toThrow(tooManyAttempts);
    });

    it('are forgotten once the right password is given', async () => {
      for (let i = 0; i < limit - 1; i++) await wrongPassword();
      await service.authorise(request, password('alice-secret'));
      expect(attempts.countFor(ALICE)).toBe(0);
    });
  });

  describe('what it counts, for the metrics', () => {
    let metrics: RecordingAuthMetrics;
    beforeEach(() => {
      metrics = new RecordingAuthMetrics();
      service = new UiaService(sessions, authenticator, clock, { serverName: 'example.org' }, metrics);
    });

    it('counts the challenge, a wrong password and the success of one exchange, once each', async () => {
      const session = await startSession();
      await challenge(service.authorise(request, password('wrong', session)));
      await service.authorise(request, password('alice-secret', session));
      expect(metrics.counted).toEqual(['uiaChallenged', 'uiaFailed wrong_password', 'uiaSucceeded']);
    });

    it('counts a retry with the session alone as a challenge while a stage is left, and as a success once none is', async () => {
      const session = await startSession();
      await challenge(service.authorise(request, { session }));
      await service.authorise(request, password('alice-secret', session));
      await service.failed(session);
      await service.authorise(request, { session });
      expect(metrics.counted).toEqual(['uiaChallenged', 'uiaChallenged', 'uiaSucceeded', 'uiaSucceeded']);
    });

    it.each([
      ['wrong_user', async (session: string) => service.authorise(request, password('bob-secret', session, 'bob'))],
      ['invalid_session', async () => service.authorise(request, password('alice-secret', 'no-such-session'))],
      ['invalid_session', async (session: string) => service.authorise({ ...request, path: '/elsewhere' }, password('alice-secret', session))],
      ['invalid_request', async (session: string) => service.authorise(request, { type: 'm.login.recaptcha', session })],
      ['invalid_request', async (session: string) => service.authorise(request, { type: PASSWORD_STAGE, session, password: 'no identifier' })],
      [
        'session_in_use',
        async (session: string) => {
          await service.authorise(request, password('alice-secret', session));
          return service.authorise(request, { session });
        },
      ],
      [
        'rate_limited',
        async (session: string) => {
          for (let i = 0; i < limit; i++) await challenge(service.authorise(request, password('wrong', session)));
          return service.authorise(request, password('alice-secret', session));
        },
      ],
      [
        'error',
        async (session: string) => {
          jest.spyOn(sessions, 'findById').mockRejectedValueOnce(new Error('database unavailable'));
          return service.authorise(request, password('alice-secret', session));
        },
      ],
    ])('counts a refusal as %s', async (reason, refuse) => {
      const session = await startSession();
      await expect(refuse(session)).rejects.toBeDefined();
      expect(metrics.counted.at(-1)).toBe(`uiaFailed ${reason}`);
      expect(metrics.counted.filter((count) => count.startsWith('uiaFailed') && count !== 'uiaFailed wrong_password')).toEqual([`uiaFailed ${reason}`]);
    });
  });

  describe("with a host's own PasswordVerifier", () => {
    let verifier: FakePasswordVerifier;
    beforeEach(() => {
      verifier = new FakePasswordVerifier();
      verifier.passwords.set(ALICE, 'host-secret');
      verifier.passwords.set(BOB, 'bob-host-secret');
      service = new UiaService(sessions, verifier, clock, { serverName: 'example.org' });
    });
    const hostPassword = (secret: string, session: string, who = ALICE): UiaAuth => ({
      type: PASSWORD_STAGE,
      identifier: { type: 'm.id.user', user: who },
      password: secret,
      session,
    });

    it("completes the stage with the host's password for the logged-in user", async () => {
      const session = await startSession();
      await expect(service.authorise(request, hostPassword('host-secret', session))).resolves.toBe(session);
      expect(verifier.verified).toEqual([ALICE]);
    });

    it('answers a wrong password with the 401 again, carrying M_FORBIDDEN', async () => {
      const session = await startSession();
      const refused = await challenge(service.authorise(request, hostPassword('alice-secret', session)));
      expect(refused.toResponseBody()).toMatchObject({ errcode: 'M_FORBIDDEN', flows: FLOWS_BODY, session });
    });

    it("refuses another user's credentials with 403 without asking for their password to be checked", async () => {
      const session = await startSession();
      await expect(service.authorise(request, hostPassword('bob-host-secret', session, BOB))).rejects.toThrow(wrongUser);
      expect(verifier.verified).toEqual([]);
    });
  });
});
