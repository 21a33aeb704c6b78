import { CLAIM_TIMEOUT_MS, UiaSession } from '../../../src/auth/domain/uia-session';

const t0 = 1_700_000_000_000;
const ALICE = '@alice:example.org';
const HASH = 'a'.repeat(64);

const forbidden = expect.objectContaining({ name: 'UiaRequestChangedError', status: 403, errcode: 'M_FORBIDDEN' });
const inUse = expect.objectContaining({ name: 'UiaSessionInUseError', status: 429, errcode: 'M_LIMIT_EXCEEDED' });
const unknown = expect.objectContaining({ name: 'UnknownUiaSessionError', status: 400, errcode: 'M_UNKNOWN' });

const aSession = (completed: string[] = []) =>
  UiaSession.restore({ id: 'SESSION', userId: ALICE, requestHash: HASH, completed, createdAt: t0, version: 3 });

describe(UiaSession.name, () => {
  describe('start', () => {
    it('starts with no stage completed, unclaimed, at version 0, for the user and request given', () => {
      const session = UiaSession.start(ALICE, HASH, t0);
      expect(session.completed).toEqual([]);
      expect(session.isClaimed).toBe(false);
      expect(session.snapshot()).toEqual({ id: session.id, userId: ALICE, requestHash: HASH, completed: [], createdAt: t0, version: 0 });
    });

    it('gives every session its own url-safe ID', () => {
      const ids = new Set(Array.from({ length: 20 }, () => UiaSession.start(ALICE, HASH, t0).id));
      expect(ids.size).toBe(20);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    });
  });

  describe('assertSameRequest', () => {
    it('accepts the user and request the session was started for', () => {
      expect(() => aSession().assertSameRequest(ALICE, HASH)).not.toThrow();
    });

    it('refuses another user with 403 M_FORBIDDEN', () => {
      expect(() => aSession().assertSameRequest('@mallory:example.org', HASH)).toThrow(forbidden);
    });

    it('refuses another request with 403 M_FORBIDDEN', () => {
      expect(() => aSession().assertSameRequest(ALICE, 'b'.repeat(64))).toThrow(forbidden);
    });
  });

  describe('satisfies', () => {
    const flows = [['m.login.password', 'm.login.email.identity'], ['m.login.recaptcha']];

    it.each([
      [['m.login.password', 'm.login.email.identity']],
      [['m.login.recaptcha']],
      [['m.login.password', 'm.login.email.identity', 'm.login.dummy']],
    ])('is satisfied by the stages %j', (completed) => {
      expect(aSession(completed).satisfies(flows)).toBe(true);
    });

    it.each([
      [[]],
      [['m.login.password']],
      [['m.login.email.identity', 'm.login.password']],
      [['m.login.dummy', 'm.login.recaptcha']],
    ])('is not satisfied by the stages %j', (completed) => {
      expect(aSession(completed).satisfies(flows)).toBe(false);
    });

    it('is never satisfied by an empty flow', () => {
      expect(aSession().satisfies([[]])).toBe(false);
      expect(aSession(['m.login.password']).satisfies([[]])).toBe(false);
    });

    it('records each stage once, in the order completed', () => {
      const session = aSession();
      session.completeStage('m.login.password');
      session.completeStage('m.login.email.identity');
      session.completeStage('m.login.password');
      expect(session.completed).toEqual(['m.login.password', 'm.login.email.identity']);
      expect(session.hasCompleted('m.login.email.identity')).toBe(true);
      expect(session.hasCompleted('m.login.recaptcha')).toBe(false);
      expect(session.satisfies(flows)).toBe(true);
    });
  });

  describe('claim', () => {
    it('claims an unclaimed session, and records when', () => {
      const session = aSession();
      session.claim(t0 + 5);
      expect(session.isClaimed).toBe(true);
      expect(session.snapshot().claimedAt).toBe(t0 + 5);
    });

    it('refuses a second claim with 429 M_LIMIT_EXCEEDED and a retry delay', () => {
      const session = aSession();
      session.claim(t0);
      expect(() => session.claim(t0 + 1)).toThrow(inUse);
      expect(() => session.claim(t0 + 1)).toThrow(expect.objectContaining({ extra: { retry_after_ms: 1000 } }));
      expect(session.snapshot().claimedAt).toBe(t0);
    });

    it('can be claimed again once released', () => {
      const session = aSession();
      session.claim(t0);
      session.release();
      expect(session.isClaimed).toBe(false);
      expect(() => session.claim(t0 + 2)).not.toThrow();
      expect(session.snapshot().claimedAt).toBe(t0 + 2);
    });

    it('stays claimed when restored from a snapshot', () => {
      const session = aSession();
      session.claim(t0);
      expect(() => UiaSession.restore(session.snapshot()).claim(t0)).toThrow(inUse);
    });

    it('refuses to claim a session whose claim was abandoned with 400 M_UNKNOWN, and keeps that claim', () => {
      const session = aSession();
      session.claim(t0);
      expect(() => session.claim(t0 + CLAIM_TIMEOUT_MS)).toThrow(unknown);
      expect(session.snapshot().claimedAt).toBe(t0);
    });
  });

  describe('assertUnclaimed', () => {
    it('accepts a session never claimed, or released', () => {
      const session = aSession();
      expect(() => session.assertUnclaimed(t0)).not.toThrow();
      session.claim(t0);
      session.release();
      expect(() => session.assertUnclaimed(t0 + 1)).not.toThrow();
    });

    it(`answers 429 M_LIMIT_EXCEEDED while the claim is younger than ${CLAIM_TIMEOUT_MS} ms`, () => {
      const session = aSession();
      session.claim(t0);
      expect(() => session.assertUnclaimed(t0)).toThrow(inUse);
      expect(() => session.assertUnclaimed(t0 + CLAIM_TIMEOUT_MS - 1)).toThrow(inUse);
    });

    it(`treats a claim ${CLAIM_TIMEOUT_MS} ms old or older as abandoned: 400 M_UNKNOWN, as for an unknown session`, () => {
      const session = aSession();
      session.claim(t0);
      expect(() => session.assertUnclaimed(t0 + CLAIM_TIMEOUT_MS)).toThrow(unknown);
      expect(() => session.assertUnclaimed(t0 + 10 * CLAIM_TIMEOUT_MS)).toThrow(unknown);
    });

    it('changes nothing', () => {
      const session = aSession();
      session.claim(t0);
      const before = session.snapshot();
      expect(() => session.assertUnclaimed(t0 + CLAIM_TIMEOUT_MS)).toThrow();
      expect(session.snapshot()).toEqual(before);
    });
  });

  describe('isExpired', () => {
    const lifetimeMs = 15 * 60_000;

    it('lives until just before its lifetime has passed since it started', () => {
      expect(aSession().isExpired(t0, lifetimeMs)).toBe(false);
      expect(aSession().isExpired(t0 + lifetimeMs - 1, lifetimeMs)).toBe(false);
    });

    it('has expired once its lifetime has passed', () => {
      expect(aSession().isExpired(t0 + lifetimeMs, lifetimeMs)).toBe(true);
      expect(aSession().isExpired(t0 + lifetimeMs + 1, lifetimeMs)).toBe(true);
    });
  });

  describe('snapshot and restore', () => {
    it('share no state: completing a stage changes neither the snapshot nor the state restored from', () => {
      const state = { id: 'S', userId: ALICE, requestHash: HASH, completed: [] as string[], createdAt: t0, version: 1 };
      const session = UiaSession.restore(state);
      const snapshot = session.snapshot();
      session.completeStage('m.login.password');
      expect(state.completed).toEqual([]);
      expect(snapshot.completed).toEqual([]);
      expect(session.snapshot()).toEqual({ ...state, completed: ['m.login.password'] });
    });
  });
});
