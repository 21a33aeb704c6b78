import {
  DELIVERY_TIMEOUT_MS,
  MAX_LIVE_TOKENS,
  MAX_TOKEN_FAILURES,
  ValidationSession,
} from '../../../src/threepid/domain/validation-session';
import { aValidationSession, SESSION_DEFAULTS } from '../../builders/validation-session.builder';

const { clientSecret, lifetimes, startedAt: t0 } = SESSION_DEFAULTS;
const sessionEnd = t0 + lifetimes.sessionMs;

const noValidSession = expect.objectContaining({ name: 'NoValidSessionError', status: 400, errcode: 'M_NO_VALID_SESSION' });
const tokenIncorrect = expect.objectContaining({ name: 'TokenIncorrectError', status: 400, errcode: 'M_TOKEN_INCORRECT' });
const sessionExpired = (reason: string) =>
  expect.objectContaining({ name: 'SessionExpiredError', status: 400, errcode: 'M_SESSION_EXPIRED', reason });
const authFailed = (reason: string) =>
  expect.objectContaining({ name: 'ThreePidAuthFailedError', status: 400, errcode: 'M_THREEPID_AUTH_FAILED', reason });

/** A second, independent copy, to try something on without touching the original. */
const fork = (session: ValidationSession) => ValidationSession.restore(session.snapshot());

describe(ValidationSession.name, () => {
  describe('start', () => {
    it('issues an e-mail token of 32 url-safe characters and a sid of 24', () => {
      const { session, token } = aValidationSession().email().build();
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(session.sid).toMatch(/^[A-Za-z0-9_-]{24}$/);
    });

    it('issues six-digit SMS codes', () => {
      const tokens = Array.from({ length: 50 }, () => aValidationSession().msisdn().build().token);
      for (const token of tokens) expect(token).toMatch(/^\d{6}$/);
    });

    it('gives every session its own sid and token', () => {
      const first = aValidationSession().build();
      const second = aValidationSession().build();
      expect(second.session.sid).not.toBe(first.session.sid);
      expect(second.token).not.toBe(first.token);
    });

    it('records what it was started with, unvalidated', () => {
      const { session } = aValidationSession().msisdn('447700900123').withSendAttempt(3).build();
      expect(session).toMatchObject({ medium: 'msisdn', address: '447700900123', lastSendAttempt: 3, isValidated: false });
      expect(session.validatedAt).toBeUndefined();
      expect(session.nextLink).toBeUndefined();
      expect(session.expiresAt(lifetimes)).toBe(sessionEnd);
    });

    it('hands out snapshots that cannot change the session', () => {
      const { session } = aValidationSession().build();
      const snapshot = session.snapshot();
      snapshot.tokens[0].expiresAt = 0;
      expect(session.snapshot().tokens[0].expiresAt).toBeGreaterThan(0);
    });

    it('keeps only hashes of the token and client secret in its snapshot', () => {
      const { session, token } = ValidationSession.start({
        medium: 'email',
        address: 'alice@example.org',
        clientSecret: 'a-very-distinctive-client-secret',
        sendAttempt: 1,
        now: t0,
        lifetimes,
      });
      const snapshot = session.snapshot();
      expect(JSON.stringify(snapshot)).not.toContain(token);
      expect(JSON.stringify(snapshot)).not.toContain('a-very-distinctive-client-secret');
      expect(snapshot).toEqual({
        sid: session.sid,
        medium: 'email',
        address: 'alice@example.org',
        clientSecretHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        pendingKey: ValidationSession.pendingKeyFor('email', 'alice@example.org', 'a-very-distinctive-client-secret'),
        lastSendAttempt: 1,
        createdAt: t0,
        tokenFailures: 0,
        tokens: [{ hash: expect.stringMatching(/^[0-9a-f]{64}$/), issuedAt: t0, expiresAt: t0 + lifetimes.tokenMs, delivered: false, sendAttempt: 1 }],
        version: 0,
      });
    });
  });

  describe('pendingKeyFor', () => {
    const key = ValidationSession.pendingKeyFor('email', 'alice@example.org', 's3cret');

    it('is a deterministic hash', () => {
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(ValidationSession.pendingKeyFor('email', 'alice@example.org', 's3cret')).toBe(key);
    });

    it.each([
      ['medium', ['msisdn', 'alice@example.org', 's3cret']],
      ['address', ['email', 'bob@example.org', 's3cret']],
      ['client secret', ['email', 'alice@example.org', 'other']],
    ] as const)('differs by %s', (_, [medium, address, secret]) => {
      expect(ValidationSession.pendingKeyFor(medium, address, secret)).not.toBe(key);
    });
  });

  describe('decideSend', () => {
    it.each([
      [1, 'already-sent'],
      [2, 'already-sent'],
      [3, 'send'],
      [10, 'send'],
    ])('after send_attempt 2 went out, send_attempt %i is answered %s', (sendAttempt, expected) => {
      const { session } = aValidationSession().withSendAttempt(2).build();
      expect(session.decideSend(sendAttempt, t0)).toBe(expected);
    });

    it('makes a repeat wait while the message is being sent, and sends again once that took too long', () => {
      const { session } = aValidationSession().withSendAttempt(2).sending().build();
      expect(session.decideSend(2, t0 + DELIVERY_TIMEOUT_MS - 1)).toBe('sending');
      expect(session.decideSend(3, t0 + 1)).toBe('send');
      expect(session.decideSend(2, t0 + DELIVERY_TIMEOUT_MS)).toBe('send');
    });

    it('answers a repeat as sent once the delivery is confirmed', () => {
      const { session, token } = aValidationSession().withSendAttempt(2).sending().build();
      session.confirmDelivery(token);
      expect(session.hasChanges).toBe(true);
      expect(session.decideSend(2, t0 + 1)).toBe('already-sent');
    });

    it('forgets a token whose delivery was never confirmed when it sends again', () => {
      const { session, token: lost } = aValidationSession().sending().build();
      const resent = session.issueToken(1, undefined, t0 + DELIVERY_TIMEOUT_MS, lifetimes);
      expect(session.snapshot().tokens).toHaveLength(1);
      expect(() => fork(session).submitToken(lost, clientSecret, t0 + DELIVERY_TIMEOUT_MS, lifetimes)).toThrow(tokenIncorrect);
      expect(fork(session).submitToken(resent, clientSecret, t0 + DELIVERY_TIMEOUT_MS, lifetimes)).toBe('validated');
    });
  });

  describe('issueToken', () => {
    it('keeps earlier tokens valid, and records the send attempt', () => {
      const { session, token: first } = aValidationSession().build();
      const second = session.issueToken(2, undefined, t0 + 1000, lifetimes);

      expect(second).not.toBe(first);
      expect(session.lastSendAttempt).toBe(2);
      expect(session.decideSend(2, t0 + 1000)).toBe('sending');
      expect(session.hasChanges).toBe(true);
      expect(fork(session).submitToken(first, clientSecret, t0 + 2000, lifetimes)).toBe('validated');
      expect(fork(session).submitToken(second, clientSecret, t0 + 2000, lifetimes)).toBe('validated');
    });

    it.each([
      ['tokenMs after it was issued', t0 + 1000, t0 + 1000 + lifetimes.tokenMs],
      ['when the session ends, if that is sooner', sessionEnd - 1000, sessionEnd],
    ])('makes a token expire %s', (_, issuedAt, expiresAt) => {
      const { session } = aValidationSession().build();
      session.issueToken(2, undefined, issuedAt, lifetimes);
      expect(session.snapshot().tokens.at(-1)?.expiresAt).toBe(expiresAt);
    });

    it('accepts a token until it expires', () => {
      const { session, token } = aValidationSession().build();
      const expiry = t0 + lifetimes.tokenMs;
      expect(() => fork(session).submitToken(token, clientSecret, expiry, lifetimes)).toThrow(sessionExpired('token'));
      expect(fork(session).submitToken(token, clientSecret, expiry - 1, lifetimes)).toBe('validated');
    });

    it(`keeps the latest ${MAX_LIVE_TOKENS} tokens only`, () => {
      const { session, token: first } = aValidationSession().build();
      const tokens = [first];
      for (let attempt = 2; attempt <= MAX_LIVE_TOKENS + 3; attempt++) tokens.push(session.issueToken(attempt, undefined, t0 + attempt, lifetimes));

      expect(session.snapshot().tokens).toHaveLength(MAX_LIVE_TOKENS);
      const accepted = tokens.map((token) => {
        try {
          return fork(session).submitToken(token, clientSecret, t0 + 1000, lifetimes) === 'validated';
        } catch {
          return false;
        }
      });
      expect(accepted).toEqual([...Array<boolean>(3).fill(false), ...Array<boolean>(MAX_LIVE_TOKENS).fill(true)]);
    });

    it('keeps expired tokens, so that submitting one says it expired rather than that it is wrong', () => {
      const { session, token: first } = aValidationSession().build();
      session.issueToken(2, undefined, t0 + lifetimes.tokenMs, lifetimes);
      expect(session.snapshot().tokens).toEqual([
        { hash: expect.any(String), issuedAt: t0, expiresAt: t0 + lifetimes.tokenMs, delivered: true, sendAttempt: 1 },
        { hash: expect.any(String), issuedAt: t0 + lifetimes.tokenMs, expiresAt: t0 + 2 * lifetimes.tokenMs, delivered: false, sendAttempt: 2 },
      ]);
      expect(() => session.submitToken(first, clientSecret, t0 + lifetimes.tokenMs, lifetimes)).toThrow(sessionExpired('token'));
      expect(session.snapshot().tokenFailures).toBe(0);
    });

    it('keeps counting wrong tokens: a locked session stays locked', () => {
      const { session } = aValidationSession().build();
      for (let i = 0; i < MAX_TOKEN_FAILURES - 1; i++) expect(() => session.submitToken('wrong', clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);
      session.issueToken(2, undefined, t0, lifetimes);
      expect(session.snapshot().tokenFailures).toBe(MAX_TOKEN_FAILURES - 1);
      expect(session.isLocked).toBe(false);
      expect(() => session.submitToken('wrong', clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);
      expect(session.isLocked).toBe(true);
      const token = session.issueToken(3, undefined, t0, lifetimes);
      expect(() => session.submitToken(token, clientSecret, t0, lifetimes)).toThrow(sessionExpired('too-many-attempts'));
    });

    it.each([
      ['https://example.org/done', 'https://example.org/done?sid=SID'],
      ['https://example.org/done?lang=en', 'https://example.org/done?lang=en&sid=SID'],
      ['https://example.org/done#/welcome', 'https://example.org/done?sid=SID#/welcome'],
      ['https://example.org/done?lang=en#top', 'https://example.org/done?lang=en&sid=SID#top'],
      ['https://example.org/done?q=a%20b&flag', 'https://example.org/done?q=a%20b&flag&sid=SID'],
      ['https://example.org/done?', 'https://example.org/done?sid=SID'],
      ['https://example.org/done?sid=forged', 'https://example.org/done?sid=SID'],
    ])('adds the sid to the next_link %s', (nextLink, expected) => {
      const { session } = aValidationSession().withNextLink(nextLink).build();
      expect(session.nextLink).toBe(expected.replace('SID', session.sid));
    });

    it('replaces the next_link when given a new one, keeps it otherwise, and leaves the caller’s URL alone', () => {
      const { session } = aValidationSession().withNextLink('https://example.org/first').build();
      session.issueToken(2, undefined, t0, lifetimes);
      expect(session.nextLink).toBe(`https://example.org/first?sid=${session.sid}`);

      const second = new URL('https://example.org/second');
      session.issueToken(3, second, t0, lifetimes);
      expect(session.nextLink).toBe(`https://example.org/second?sid=${session.sid}`);
      expect(second.href).toBe('https://example.org/second');
    });

    it('refuses to issue a token for a validated session', () => {
      const { session } = aValidationSession().validated().build();
      expect(() => session.issueToken(2, undefined, t0, lifetimes)).toThrow('A validated session needs no token');
      expect(session.hasChanges).toBe(false);
    });
  });

  describe('withdrawToken', () => {
    it('takes the token back, so that its send attempt counts as not sent', () => {
      const { session, token: first } = aValidationSession().build();
      const second = session.issueToken(2, undefined, t0, lifetimes);
      const loaded = fork(session);

      loaded.withdrawToken(second, {});

      expect(loaded.hasChanges).toBe(true);
      expect(loaded.lastSendAttempt).toBe(1);
      expect(loaded.decideSend(2, t0)).toBe('send');
      expect(loaded.snapshot().tokens).toHaveLength(1);
      expect(() => fork(loaded).submitToken(second, clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);
      expect(fork(loaded).submitToken(first, clientSecret, t0, lifetimes)).toBe('validated');
    });

    it('keeps the send attempt and next_link of a later request', () => {
      const { session } = aValidationSession().build();
      const second = session.issueToken(2, undefined, t0, lifetimes);
      const third = session.issueToken(3, undefined, t0, lifetimes);

      session.withdrawToken(second, { nextLink: 'https://old.example/' });

      expect(session.lastSendAttempt).toBe(3);
      expect(session.nextLink).toBeUndefined();
      expect(() => fork(session).submitToken(second, clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);
      expect(fork(session).submitToken(third, clientSecret, t0, lifetimes)).toBe('validated');
    });

    it('gives the next_link back when it takes the latest token', () => {
      const { session } = aValidationSession().withNextLink('https://old.example/').build();
      const second = session.issueToken(2, new URL('https://new.example/'), t0, lifetimes);
      session.withdrawToken(second, { nextLink: 'https://old.example/?sid=x' });
      expect(session.nextLink).toBe('https://old.example/?sid=x');
    });

    it('leaves no send attempt answered as sent when sends overlap and all fail, in any order', () => {
      for (const order of [[1, 2, 3], [3, 2, 1], [2, 3, 1]]) {
        const { session, token: first } = aValidationSession().sending().build();
        const tokens = [first, session.issueToken(2, undefined, t0, lifetimes), session.issueToken(3, undefined, t0, lifetimes)];
        for (const attempt of order) session.withdrawToken(tokens[attempt - 1], {});
        expect({ order, decisions: [1, 2, 3].map((attempt) => session.decideSend(attempt, t0)) }).toEqual({ order, decisions: ['send', 'send', 'send'] });
      }
    });

    it('undoes a validation made with the token meanwhile, and makes the session pending again', () => {
      const { session, token } = aValidationSession().sending().build();
      const key = session.snapshot().pendingKey;
      expect(session.submitToken(token, clientSecret, t0 + 1, lifetimes)).toBe('validated');

      session.withdrawToken(token, {}, key);

      expect(session.isValidated).toBe(false);
      expect(session.snapshot()).toMatchObject({ pendingKey: key, validatedAt: undefined, validatedBy: undefined });
      expect(() => fork(session).consume(clientSecret, t0 + 2, lifetimes)).toThrow(authFailed('not-validated'));
      expect(() => session.submitToken(token, clientSecret, t0 + 2, lifetimes)).toThrow(tokenIncorrect);
    });

    it('keeps a validation made with another token, one whose message went out', () => {
      const { session, token: delivered } = aValidationSession().build();
      const unsent = session.issueToken(2, undefined, t0, lifetimes);
      session.submitToken(delivered, clientSecret, t0 + 1, lifetimes);
      session.withdrawToken(unsent, {}, 'not-used');
      expect(session.isValidated).toBe(true);
      expect(session.snapshot().pendingKey).toBeUndefined();
      expect(() => session.consume(clientSecret, t0 + 2, lifetimes)).not.toThrow();
    });
  });

  describe('unsent tokens', () => {
    it('validate while their message is being sent (a quick click), but the session is used only once it went out', () => {
      const { session, token } = aValidationSession().sending().build();
      expect(session.submitToken(token, clientSecret, t0 + 1, lifetimes)).toBe('validated');
      expect(() => fork(session).consume(clientSecret, t0 + 2, lifetimes)).toThrow(
        expect.objectContaining({ name: 'DeliveryInProgressError', status: 429, errcode: 'M_LIMIT_EXCEEDED' }),
      );
      session.confirmDelivery(token);
      expect(() => session.consume(clientSecret, t0 + 2, lifetimes)).not.toThrow();
    });

    it('count as never sent once their delivery was not confirmed in time: they validate nothing, and a validation made with one does not count', () => {
      const { session, token } = aValidationSession().sending().build();
      expect(() => fork(session).submitToken(token, clientSecret, t0 + DELIVERY_TIMEOUT_MS, lifetimes)).toThrow(sessionExpired('token'));
      session.submitToken(token, clientSecret, t0 + 1, lifetimes);
      expect(() => session.consume(clientSecret, t0 + DELIVERY_TIMEOUT_MS, lifetimes)).toThrow(authFailed('not-validated'));
    });

    it('are one per send: a repeat waits for the send of its attempt, and only a higher attempt starts another', () => {
      const { session } = aValidationSession().sending().build();
      expect(session.decideSend(1, t0 + 1)).toBe('sending');
      session.issueToken(2, undefined, t0 + 1, lifetimes);
      expect([1, 2, 3].map((attempt) => session.decideSend(attempt, t0 + 2))).toEqual(['sending', 'sending', 'send']);
    });
  });

  describe('submitToken', () => {
    it('validates the session with the right token and client secret', () => {
      const { session, token } = aValidationSession().build();
      expect(session.submitToken(token, clientSecret, t0 + 1000, lifetimes)).toBe('validated');
      expect(session).toMatchObject({ isValidated: true, validatedAt: t0 + 1000, hasChanges: true });
      expect(session.snapshot().pendingKey).toBeUndefined();
    });

    it.each([
      ['123 456', (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`],
      [' 123456\n', (code: string) => ` ${code}\n`],
      ['12\t34 56', (code: string) => `${code.slice(0, 2)}\t${code.slice(2, 4)} ${code.slice(4)}`],
    ])('accepts a code written like %j', (_, write) => {
      const { session, token } = aValidationSession().msisdn().build();
      expect(session.submitToken(write(token), clientSecret, t0, lifetimes)).toBe('validated');
    });

    it('refuses another client secret with M_NO_VALID_SESSION, and counts nothing', () => {
      const { session, token } = aValidationSession().build();
      expect(() => session.submitToken(token, 'someone-else', t0, lifetimes)).toThrow(noValidSession);
      expect(session).toMatchObject({ isValidated: false, hasChanges: false });
    });

    it('refuses an expired session', () => {
      const { session, token } = aValidationSession().build();
      expect(() => session.submitToken(token, clientSecret, sessionEnd, lifetimes)).toThrow(sessionExpired('session'));
      expect(session.isValidated).toBe(false);
    });

    it('refuses an expired token and leaves the session unvalidated', () => {
      const { session, token } = aValidationSession().build();
      expect(() => session.submitToken(token, clientSecret, t0 + lifetimes.tokenMs + 1, lifetimes)).toThrow(sessionExpired('token'));
      expect(session.isValidated).toBe(false);
      expect(session.snapshot().validatedAt).toBeUndefined();
    });

    it('refuses a wrong token with M_TOKEN_INCORRECT and counts it', () => {
      const { session } = aValidationSession().build();
      expect(() => session.submitToken('wrong', clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);
      expect(session.hasChanges).toBe(true);
      expect(session.snapshot().tokenFailures).toBe(1);
    });

    it(`still accepts the right token after ${MAX_TOKEN_FAILURES - 1} wrong ones`, () => {
      const { session, token } = aValidationSession().msisdn().build();
      for (let i = 1; i < MAX_TOKEN_FAILURES; i++) expect(() => session.submitToken('000000x', clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);
      expect(session.submitToken(token, clientSecret, t0, lifetimes)).toBe('validated');
    });

    it(`accepts no token after ${MAX_TOKEN_FAILURES} wrong ones`, () => {
      const { session, token } = aValidationSession().msisdn().build();
      for (let i = 0; i < MAX_TOKEN_FAILURES; i++) expect(() => session.submitToken('000000x', clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);

      expect(() => session.submitToken(token, clientSecret, t0, lifetimes)).toThrow(sessionExpired('too-many-attempts'));
      expect(() => session.submitToken('000000x', clientSecret, t0, lifetimes)).toThrow(sessionExpired('too-many-attempts'));
      expect(session.isValidated).toBe(false);
      expect(session.isLocked).toBe(true);
    });

    it('answers a correct token again with already-validated, until the token expires', () => {
      const { session, token } = aValidationSession().validated().build();
      const tokenExpiry = t0 + lifetimes.tokenMs;
      expect(session.submitToken(token, clientSecret, tokenExpiry - 1, lifetimes)).toBe('already-validated');
      expect(session.validatedAt).toBe(t0 + 1000);
      expect(session.hasChanges).toBe(false);
      expect(() => session.submitToken(token, clientSecret, tokenExpiry, lifetimes)).toThrow(sessionExpired('token'));
      expect(() => session.submitToken(token, clientSecret, sessionEnd, lifetimes)).toThrow(sessionExpired('session'));
    });

    it('refuses a wrong token for a validated session without counting it', () => {
      const { session } = aValidationSession().validated().build();
      for (let i = 0; i <= MAX_TOKEN_FAILURES; i++) expect(() => session.submitToken('wrong', clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);
      expect(session.hasChanges).toBe(false);
      expect(session.snapshot().tokenFailures).toBe(0);
    });
  });

  describe('consume', () => {
    it('uses a validated session once', () => {
      const { session } = aValidationSession().validated().build();
      session.consume(clientSecret, t0 + 2000, lifetimes);
      expect(session.hasChanges).toBe(true);
      expect(session.snapshot().consumedAt).toBe(t0 + 2000);
      expect(() => session.consume(clientSecret, t0 + 3000, lifetimes)).toThrow(authFailed('used'));
    });

    it.each([
      ['unknown', aValidationSession().validated(), 'someone-else', t0 + 2000],
      ['unknown', aValidationSession(), 'someone-else', t0 + 2000],
      ['not-validated', aValidationSession(), clientSecret, t0 + 2000],
      ['expired', aValidationSession().validated(), clientSecret, sessionEnd],
    ])('fails with M_THREEPID_AUTH_FAILED (%s)', (reason, builder, secret, now) => {
      const { session } = builder.build();
      expect(() => session.consume(secret, now, lifetimes)).toThrow(authFailed(reason));
      expect(session.hasChanges).toBe(false);
    });
  });

  describe('restore', () => {
    it('round-trips a snapshot, without pending changes', () => {
      const { session: original, token } = ValidationSession.start({
        medium: 'msisdn',
        address: '447700900123',
        clientSecret,
        sendAttempt: 4,
        nextLink: new URL('https://example.org/done'),
        now: t0,
        lifetimes,
      });
      const restored = ValidationSession.restore(original.snapshot());

      expect(restored.snapshot()).toEqual(original.snapshot());
      expect(restored).toMatchObject({
        sid: original.sid,
        medium: 'msisdn',
        address: '447700900123',
        lastSendAttempt: 4,
        nextLink: original.nextLink,
        isValidated: false,
        hasChanges: false,
      });
      expect(restored.submitToken(token, clientSecret, t0, lifetimes)).toBe('validated');
      expect(ValidationSession.restore(restored.snapshot()).submitToken(token, clientSecret, t0 + lifetimes.tokenMs - 1, lifetimes)).toBe(
        'already-validated',
      );
    });

    it('restores the count of wrong tokens and the use of the session', () => {
      const { session } = aValidationSession().build();
      for (let i = 0; i < MAX_TOKEN_FAILURES; i++) expect(() => session.submitToken('wrong', clientSecret, t0, lifetimes)).toThrow(tokenIncorrect);
      expect(() => fork(session).submitToken('wrong', clientSecret, t0, lifetimes)).toThrow(sessionExpired('too-many-attempts'));

      const { session: validated } = aValidationSession().validated().build();
      validated.consume(clientSecret, t0 + 2000, lifetimes);
      expect(() => fork(validated).consume(clientSecret, t0 + 3000, lifetimes)).toThrow(authFailed('used'));
    });

    it('shares no token list with the snapshot it came from or gives out', () => {
      const { session } = aValidationSession().build();
      const snapshot = session.snapshot();
      const restored = ValidationSession.restore(snapshot);

      restored.issueToken(2, undefined, t0, lifetimes);
      restored.snapshot().tokens.length = 0;

      expect(snapshot.tokens).toHaveLength(1);
      expect(restored.snapshot().tokens).toHaveLength(2);
    });
  });
});

