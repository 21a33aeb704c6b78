import { IdentityServerService } from '../../../src/threepid/application/identity-server.service';
import { ThreePidService } from '../../../src/threepid/application/three-pid.service';
import { IdentityServerUnavailableError } from '../../../src/threepid/domain/identity-server.errors';
import { IdServer } from '../../../src/threepid/domain/identity-server';
import { Medium } from '../../../src/threepid/domain/medium';
import { UnbindResult } from '../../../src/threepid/domain/ports/identity-server.gateway';
import { ValidationSessionConflictError } from '../../../src/threepid/domain/ports/validation-session.repository';
import { ThreePid } from '../../../src/threepid/domain/three-pid';
import { ThreePidAddedEvent, ThreePidRemovedEvent, ThreePidUnboundEvent } from '../../../src/threepid/domain/three-pid.events';
import { ThreePidAllowlist } from '../../../src/threepid/domain/three-pid-policy';
import { ValidationSession } from '../../../src/threepid/domain/validation-session';
import { ThreePidModuleOptions } from '../../../src/threepid/three-pid.options';
import { aThreePid } from '../../builders/three-pid.builder';
import { aValidationSession, SESSION_DEFAULTS } from '../../builders/validation-session.builder';
import { FixedClock } from '../../fakes/auth.fakes';
import {
  InMemoryThreePidBindingRepository,
  InMemoryThreePidRepository,
  InMemoryValidationSessionRepository,
  FakeThreePidPolicy,
  RecordingEventPublisher,
  RecordingThreePidMetrics,
  RecordingIdentityServerGateway,
} from '../../fakes/threepid.fakes';

const ALICE = '@alice:example.org';
const BOB = '@bob:example.org';
const { clientSecret, lifetimes, startedAt: t0 } = SESSION_DEFAULTS;

const OPTIONS: ThreePidModuleOptions = {
  changesEnabled: true,
  serverName: 'example.org',
  publicBaseUrl: 'https://matrix.example.org',
  media: ['email', 'msisdn'],
  allowlist: [],
  lifetimes,
  email: { from: 'noreply@example.org' },
  sms: {},
};

const authFailed = (reason: string, status = 400) =>
  expect.objectContaining({ name: 'ThreePidAuthFailedError', status, errcode: 'M_THREEPID_AUTH_FAILED', reason });

describe(ThreePidService.name, () => {
  let sessions: InMemoryValidationSessionRepository;
  let threePids: InMemoryThreePidRepository;
  let gateway: RecordingIdentityServerGateway;
  let bindings: InMemoryThreePidBindingRepository;
  let clock: FixedClock;
  let events: RecordingEventPublisher;
  let service: ThreePidService;
  const serviceWith = (options: Partial<ThreePidModuleOptions>, metrics?: RecordingThreePidMetrics) => {
    const all = { ...OPTIONS, ...options };
    const identityServers = new IdentityServerService(gateway, bindings, clock, all, events, metrics);
    return new ThreePidService(threePids, sessions, identityServers, clock, all, all.policy ?? new ThreePidAllowlist(all.allowlist), events, metrics);
  };

  beforeEach(() => {
    sessions = new InMemoryValidationSessionRepository();
    threePids = new InMemoryThreePidRepository(sessions);
    gateway = new RecordingIdentityServerGateway();
    bindings = new InMemoryThreePidBindingRepository();
    clock = new FixedClock(t0);
    events = new RecordingEventPublisher();
    service = serviceWith({});
  });

  /** Stores the built session as the repository would hold it; returns it. */
  const stored = async (built: { session: ValidationSession }) => {
    await sessions.insert(built.session);
    return built.session;
  };
  const validatedEmail = (address = 'alice@example.org') => stored(aValidationSession().email(address).validated().build());
  const credentials = (session: ValidationSession, secret: string = clientSecret) => ({ sid: session.sid, clientSecret: secret });
  const consumedAt = (session: ValidationSession) => sessions.rows.get(session.sid)?.consumedAt;

  describe('add', () => {
    it('adds the address of a validated session, validated when the session was and added now', async () => {
      const session = await validatedEmail();
      clock.advance(5_000);
      await service.add(ALICE, credentials(session));
      expect(threePids.threePids).toEqual([new ThreePid(ALICE, 'email', 'alice@example.org', t0 + 1_000, t0 + 5_000)]);
      await expect(service.list(ALICE)).resolves.toHaveLength(1);
    });

    it('adds a phone number as its msisdn', async () => {
      const session = await stored(aValidationSession().msisdn('447700900123').validated(2_000).build());
      await service.add(BOB, credentials(session));
      expect(threePids.threePids).toEqual([new ThreePid(BOB, 'msisdn', '447700900123', t0 + 2_000, t0)]);
    });

    it('uses the session up: adding with it again fails with 400 M_THREEPID_AUTH_FAILED (used)', async () => {
      const session = await validatedEmail();
      clock.advance(5_000);
      await service.add(ALICE, credentials(session));
      expect(consumedAt(session)).toBe(t0 + 5_000);

      await threePids.remove(ALICE, 'email', 'alice@example.org');
      await expect(service.add(ALICE, credentials(session))).rejects.toThrow(authFailed('used'));
      await expect(service.add(BOB, credentials(session))).rejects.toThrow(authFailed('used'));
      expect(threePids.threePids).toEqual([]);
    });

    it.each([
      ['an unknown sid', 'unknown', async () => ({ sid: 'no-such-sid', clientSecret })],
      ['a wrong client_secret', 'unknown', async () => credentials(await validatedEmail(), 'not-the-secret')],
      ['an unvalidated session', 'not-validated', async () => credentials(await stored(aValidationSession().build()))],
      [
        'an expired session',
        'expired',
        async () => {
          const session = await validatedEmail();
          clock.advance(lifetimes.sessionMs);
          return credentials(session);
        },
      ],
    ])('refuses %s with 400 M_THREEPID_AUTH_FAILED (%s), adding nothing', async (_case, reason, given) => {
      const creds = await given();
      await expect(service.add(ALICE, creds)).rejects.toThrow(authFailed(reason));
      expect(threePids.threePids).toEqual([]);
      expect(sessions.rows.get(creds.sid)?.consumedAt).toBeUndefined();
    });

    it('accepts a session until just before it expires', async () => {
      const session = await validatedEmail();
      clock.advance(lifetimes.sessionMs - 1);
      await service.add(ALICE, credentials(session));
      expect(threePids.threePids).toHaveLength(1);
    });

    it("refuses an address on another account with 400 M_THREEPID_IN_USE, and keeps the session for later", async () => {
      threePids.threePids.push(aThreePid().forUser(BOB).email('alice@example.org').build());
      const session = await validatedEmail();
      const error = await service.add(ALICE, credentials(session)).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ThreePidInUseError', status: 400, errcode: 'M_THREEPID_IN_USE' });
      expect((error as Error).message).not.toMatch(/your account/);
      expect(consumedAt(session)).toBeUndefined();
      expect(await threePids.findOwner('email', 'alice@example.org')).toBe(BOB);

      // Once Bob lets go of it, the same session still works.
      await threePids.remove(BOB, 'email', 'alice@example.org');
      await service.add(ALICE, credentials(session));
      expect(await threePids.findOwner('email', 'alice@example.org')).toBe(ALICE);
    });

    it("says so when the address is already on the caller's own account", async () => {
      const existing = aThreePid().forUser(ALICE).email('alice@example.org').build();
      threePids.threePids.push(existing);
      const session = await validatedEmail();
      await expect(service.add(ALICE, credentials(session))).rejects.toMatchObject({
        name: 'ThreePidAlreadyOnAccountError',
        status: 400,
        errcode: 'M_THREEPID_IN_USE',
        message: 'This third-party identifier is already on your account',
      });
      expect(threePids.threePids).toEqual([existing]);
      expect(consumedAt(session)).toBeUndefined();
    });

    it('refuses a medium no longer supported with 400 M_THREEPID_MEDIUM_NOT_SUPPORTED', async () => {
      const session = await stored(aValidationSession().msisdn().validated().build());
      await expect(serviceWith({ media: ['email'] }).add(ALICE, credentials(session))).rejects.toMatchObject({
        status: 400,
        errcode: 'M_THREEPID_MEDIUM_NOT_SUPPORTED',
      });
      expect(threePids.threePids).toEqual([]);
      expect(consumedAt(session)).toBeUndefined();
    });

    it('refuses an address the allowlist no longer allows with 403 M_THREEPID_DENIED', async () => {
      const denied = await validatedEmail('alice@example.org');
      const allowed = await validatedEmail('bob@example.com');
      const strict = serviceWith({ allowlist: [{ medium: 'email', glob: '*@example.com' }] });
      await expect(strict.add(ALICE, credentials(denied))).rejects.toMatchObject({ status: 403, errcode: 'M_THREEPID_DENIED' });
      expect(consumedAt(denied)).toBeUndefined();
      await strict.add(BOB, credentials(allowed));
      expect(threePids.threePids.map((threePid) => threePid.address)).toEqual(['bob@example.com']);
    });

    /** Makes another request save the session right after each of the first `times` reads of it. */
    const saveConcurrently = (times: number) => {
      const read = sessions.findBySid.bind(sessions);
      const spy = jest.spyOn(sessions, 'findBySid');
      for (let i = 0; i < times; i++) {
        spy.mockImplementationOnce(async (sid) => {
          const session = await read(sid);
          await sessions.save((await read(sid))!);
          return session;
        });
      }
      return spy;
    };

    it('reads the session again when another request saved it first', async () => {
      const session = await validatedEmail();
      const reads = saveConcurrently(2);
      await service.add(ALICE, credentials(session));
      expect(reads).toHaveBeenCalledTimes(3);
      expect(threePids.threePids).toHaveLength(1);
      expect(consumedAt(session)).toBe(t0);
    });

    it('retries a save that failed with a simulated version conflict', async () => {
      const session = await validatedEmail();
      sessions.conflictsToSimulate = 2;
      await service.add(ALICE, credentials(session));
      expect(sessions.conflictsToSimulate).toBe(0);
      expect(threePids.threePids).toEqual([expect.objectContaining({ userId: ALICE, address: 'alice@example.org' })]);
      expect(consumedAt(session)).toBe(t0);
    });

    it('gives up, with an error, on a session that keeps changing under it', async () => {
      const session = await validatedEmail();
      saveConcurrently(100);
      await expect(service.add(ALICE, credentials(session))).rejects.toThrow(ValidationSessionConflictError);
      expect(threePids.threePids).toEqual([]);
      expect(consumedAt(session)).toBeUndefined();
    });
  });

  describe('addDeprecated', () => {
    it('adds as add does', async () => {
      const session = await validatedEmail();
      await service.addDeprecated(ALICE, credentials(session));
      expect(await threePids.findOwner('email', 'alice@example.org')).toBe(ALICE);
      expect(consumedAt(session)).toBe(t0);
    });

    it.each([
      ['an unknown sid', 'unknown', async () => ({ sid: 'no-such-sid', clientSecret })],
      ['an unvalidated session', 'not-validated', async () => credentials(await stored(aValidationSession().build()))],
      [
        'a used session',
        'used',
        async () => {
          const session = await validatedEmail();
          await service.add(BOB, credentials(session));
          return credentials(session);
        },
      ],
    ])('refuses %s with 403 M_THREEPID_AUTH_FAILED (%s)', async (_case, reason, given) => {
      await expect(service.addDeprecated(ALICE, await given())).rejects.toThrow(authFailed(reason, 403));
    });

    it('leaves other errors as they are', async () => {
      threePids.threePids.push(aThreePid().forUser(BOB).email('alice@example.org').build());
      const session = await validatedEmail();
      await expect(service.addDeprecated(ALICE, credentials(session))).rejects.toMatchObject({ status: 400, errcode: 'M_THREEPID_IN_USE' });
    });
  });

  describe('addDeprecated with an identity server\'s session', () => {
    const fromIdentityServer = { sid: 'is-session', clientSecret, idServer: 'id.example.org', idAccessToken: 'is-token' };

    it('adds what the identity server confirms, canonicalised, when the sid is not a session of this homeserver', async () => {
      gateway.validated = { medium: 'email', address: 'Alice@Example.ORG', validatedAt: t0 - 5_000 };
      await service.addDeprecated(ALICE, fromIdentityServer);
      expect(gateway.calls).toEqual([
        { operation: 'getValidated3pid', idServer: 'id.example.org', request: { sid: 'is-session', clientSecret, idAccessToken: 'is-token' } },
      ]);
      expect(threePids.threePids).toEqual([new ThreePid(ALICE, 'email', 'alice@example.org', t0 - 5_000, t0)]);
    });

    it('uses the local session when the sid is one of this homeserver, without asking the identity server', async () => {
      const session = await validatedEmail();
      await service.addDeprecated(ALICE, { ...credentials(session), idServer: 'id.example.org', idAccessToken: 'is-token' });
      expect(gateway.calls).toEqual([]);
      expect(await threePids.findOwner('email', 'alice@example.org')).toBe(ALICE);
    });

    it('refuses with 403 M_THREEPID_AUTH_FAILED what the identity server does not confirm', async () => {
      await expect(service.addDeprecated(ALICE, fromIdentityServer)).rejects.toThrow(authFailed('not-confirmed', 403));
      expect(threePids.threePids).toEqual([]);
    });

    it('applies the in-use rule: an address on another account stays there', async () => {
      threePids.threePids.push(aThreePid().forUser(BOB).email('alice@example.org').build());
      gateway.validated = { medium: 'email', address: 'alice@example.org', validatedAt: t0 };
      await expect(service.addDeprecated(ALICE, fromIdentityServer)).rejects.toMatchObject({ status: 400, errcode: 'M_THREEPID_IN_USE' });
      expect(await threePids.findOwner('email', 'alice@example.org')).toBe(BOB);
    });

    it('refuses an identity server the allow-list does not name, without asking it', async () => {
      service = serviceWith({ identityServers: { allowlist: ['trusted.example.org'] } });
      await expect(service.addDeprecated(ALICE, fromIdentityServer)).rejects.toMatchObject({ status: 400, errcode: 'M_SERVER_NOT_TRUSTED' });
      expect(gateway.calls).toEqual([]);
    });

    it('passes an identity server that cannot be used on as 502, adding nothing', async () => {
      gateway.validated = new IdentityServerUnavailableError('failed', IdServer.parse('id.example.org'), 'HTTP 500');
      await expect(service.addDeprecated(ALICE, fromIdentityServer)).rejects.toMatchObject({ status: 502, errcode: 'M_UNKNOWN' });
      expect(threePids.threePids).toEqual([]);
    });
  });

  describe('remove', () => {
    const aliceEmail = aThreePid().forUser(ALICE).email('alice@example.org').build();
    const alicePhone = aThreePid().forUser(ALICE).msisdn('447700900123').build();
    const bobEmail = aThreePid().forUser(BOB).email('bob@example.org').build();
    const bound = (userId: string, medium: Medium, address: string, idServer = 'id.example.org') =>
      bindings.record({ userId, medium, address, idServer, boundAt: t0 });
    /** Whether the address was still on the owner's account when each unbind was asked for. */
    const stillOnAccount: boolean[] = [];
    beforeEach(() => {
      threePids.threePids.push(aliceEmail, alicePhone, bobEmail);
      stillOnAccount.length = 0;
      gateway.onUnbind = async (request) => void stillOnAccount.push((await threePids.findOwner(request.medium as Medium, request.address)) === request.mxid);
    });

    it.each([
      ['email', ' Alice@EXAMPLE.org ', 'alice@example.org', [alicePhone, bobEmail]],
      ['msisdn', '+447700900123', '447700900123', [aliceEmail, bobEmail]],
      ['msisdn', '447700900123', '447700900123', [aliceEmail, bobEmail]],
    ] as [Medium, string, string, ThreePid[]][])(
      'removes %s %j as %s, after unbinding it where it was bound through this homeserver',
      async (medium, raw, address, left) => {
        await bound(ALICE, medium, address);
        await expect(service.remove(ALICE, medium, raw)).resolves.toBe('success');
        expect(gateway.calls).toEqual([{ operation: 'unbind', idServer: 'id.example.org', request: { mxid: ALICE, medium, address } }]);
        expect(stillOnAccount).toEqual([true]);
        expect(threePids.threePids).toEqual(left);
        expect(bindings.bindings).toEqual([]);
      },
    );

    it('answers no-support, asking no identity server, when the address was bound nowhere', async () => {
      await expect(service.remove(ALICE, 'email', 'alice@example.org')).resolves.toBe('no-support');
      expect(gateway.calls).toEqual([]);
      expect(threePids.threePids).toEqual([alicePhone, bobEmail]);
    });

    it.each([['success'], ['no-support']] as [UnbindResult][])('answers what the named identity server answered: %s', async (result) => {
      gateway.defaultUnbindResult = result;
      await expect(service.remove(ALICE, 'email', 'alice@example.org', 'ID.example.org')).resolves.toBe(result);
      expect(gateway.calls.map((call) => call.idServer)).toEqual(['id.example.org']);
    });

    it.each([
      ["another user's address", 'email', 'bob@example.org'],
      ["another user's address, as typed", 'email', ' BOB@example.org'],
      ['an address on no account', 'email', 'carol@example.org'],
    ] as [string, Medium, string][])(
      'leaves %s where it is, without asking identity servers to unbind it: no-support',
      async (_case, medium, raw) => {
        await bound(BOB, 'email', 'bob@example.org');
        await expect(service.remove(ALICE, medium, raw, 'id.example.org')).resolves.toBe('no-support');
        expect(gateway.calls).toEqual([]);
        expect(threePids.threePids).toEqual([aliceEmail, alicePhone, bobEmail]);
        expect(bindings.bindings).toHaveLength(1);
      },
    );

    it('removes the address for its owner afterwards, as usual', async () => {
      await bound(BOB, 'email', 'bob@example.org');
      await service.remove(ALICE, 'email', 'bob@example.org');
      await expect(service.remove(BOB, 'email', 'bob@example.org')).resolves.toBe('success');
      expect(gateway.calls.map((call) => (call.request as { mxid: string }).mxid)).toEqual([BOB]);
      expect(threePids.threePids).toEqual([aliceEmail, alicePhone]);
    });

    it('keeps the address, and its binding, when unbinding it fails', async () => {
      await bound(ALICE, 'email', 'alice@example.org');
      gateway.unbindResults.set('id.example.org', new IdentityServerUnavailableError('unreachable', IdServer.parse('id.example.org')));
      await expect(service.remove(ALICE, 'email', 'alice@example.org')).rejects.toMatchObject({ status: 502, errcode: 'M_UNKNOWN' });
      expect(threePids.threePids).toEqual([aliceEmail, alicePhone, bobEmail]);
      expect(bindings.bindings).toHaveLength(1);
    });

    it.each([
      ['email', 'not-an-address'],
      ['msisdn', '07700900123'],
    ] as [Medium, string][])('refuses %s %j with 400 M_INVALID_PARAM, unbinding nothing', async (medium, raw) => {
      await expect(service.remove(ALICE, medium, raw)).rejects.toMatchObject({ status: 400, errcode: 'M_INVALID_PARAM' });
      expect(gateway.calls).toEqual([]);
      expect(threePids.threePids).toHaveLength(3);
    });
  });

  describe("the host's policy and the events", () => {
    let policy: FakeThreePidPolicy;
    beforeEach(() => {
      policy = new FakeThreePidPolicy();
      service = serviceWith({ policy });
    });

    it('asks the policy whether this user may add the address, and announces the addition once it is stored', async () => {
      const session = await validatedEmail();
      clock.advance(5_000);
      await service.add(ALICE, credentials(session));
      expect(policy.asked).toEqual([{ question: 'mayAdd', candidate: { medium: 'email', address: 'alice@example.org', userId: ALICE } }]);
      expect(events.events).toEqual([new ThreePidAddedEvent(ALICE, 'email', 'alice@example.org', t0 + 5_000)]);
    });

    it('refuses what the policy denies with 403 M_THREEPID_DENIED: nothing stored, the session kept, nothing announced', async () => {
      policy.deniedAdditions.add('alice@example.org');
      const session = await validatedEmail();
      await expect(service.add(ALICE, credentials(session))).rejects.toMatchObject({ status: 403, errcode: 'M_THREEPID_DENIED' });
      await expect(service.addDeprecated(ALICE, credentials(session))).rejects.toMatchObject({ status: 403, errcode: 'M_THREEPID_DENIED' });
      expect(threePids.threePids).toEqual([]);
      expect(consumedAt(session)).toBeUndefined();
      expect(events.events).toEqual([]);
    });

    it('announces nothing for an add that lost the race for the address (M_THREEPID_IN_USE)', async () => {
      const session = await validatedEmail();
      // Bob's add is stored between Alice's checks and her insert: the database refuses hers.
      const insert = threePids.addConsumingSession.bind(threePids);
      jest.spyOn(threePids, 'addConsumingSession').mockImplementationOnce(async (threePid, consumed) => {
        threePids.threePids.push(aThreePid().forUser(BOB).email('alice@example.org').build());
        return insert(threePid, consumed);
      });
      await expect(service.add(ALICE, credentials(session))).rejects.toMatchObject({ status: 400, errcode: 'M_THREEPID_IN_USE' });
      expect(consumedAt(session)).toBeUndefined();
      expect(events.events).toEqual([]);
    });

    it("asks the policy about, and announces, what the deprecated POST adds on an identity server's word", async () => {
      gateway.validated = { medium: 'email', address: 'alice@example.org', validatedAt: t0 - 5_000 };
      await service.addDeprecated(ALICE, { sid: 'is-session', clientSecret, idServer: 'id.example.org', idAccessToken: 'is-token' });
      expect(policy.asked).toEqual([{ question: 'mayAdd', candidate: { medium: 'email', address: 'alice@example.org', userId: ALICE } }]);
      expect(events.events).toEqual([new ThreePidAddedEvent(ALICE, 'email', 'alice@example.org', t0)]);
    });

    it('announces the unbinds, then the removal, once each is stored', async () => {
      threePids.threePids.push(aThreePid().forUser(ALICE).email('alice@example.org').build());
      await bindings.record({ userId: ALICE, medium: 'email', address: 'alice@example.org', idServer: 'id.example.org', boundAt: t0 });
      clock.advance(1_000);
      await expect(service.remove(ALICE, 'email', 'Alice@example.org')).resolves.toBe('success');
      expect(policy.asked).toEqual([{ question: 'mayRemove', candidate: { medium: 'email', address: 'alice@example.org', userId: ALICE } }]);
      expect(events.events).toEqual([
        new ThreePidUnboundEvent(ALICE, 'email', 'alice@example.org', 'id.example.org', 'success', t0 + 1_000),
        new ThreePidRemovedEvent(ALICE, 'email', 'alice@example.org', t0 + 1_000),
      ]);
    });

    it('announces no removal when unbinding fails and the address stays', async () => {
      threePids.threePids.push(aThreePid().forUser(ALICE).email('alice@example.org').build());
      await bindings.record({ userId: ALICE, medium: 'email', address: 'alice@example.org', idServer: 'id.example.org', boundAt: t0 });
      gateway.unbindResults.set('id.example.org', new IdentityServerUnavailableError('unreachable', IdServer.parse('id.example.org')));
      await expect(service.remove(ALICE, 'email', 'alice@example.org')).rejects.toMatchObject({ status: 502 });
      expect(await threePids.findOwner('email', 'alice@example.org')).toBe(ALICE);
      expect(events.events).toEqual([]);
    });

    it('keeps what the policy keeps with 403 M_FORBIDDEN, unbinding nothing and announcing nothing', async () => {
      policy.keptAddresses.add('alice@example.org');
      threePids.threePids.push(aThreePid().forUser(ALICE).email('alice@example.org').build());
      await bindings.record({ userId: ALICE, medium: 'email', address: 'alice@example.org', idServer: 'id.example.org', boundAt: t0 });
      await expect(service.remove(ALICE, 'email', 'alice@example.org')).rejects.toMatchObject({ status: 403, errcode: 'M_FORBIDDEN' });
      expect(gateway.calls).toEqual([]);
      expect(await threePids.findOwner('email', 'alice@example.org')).toBe(ALICE);
      expect(events.events).toEqual([]);
    });

    it("does not ask the policy about another user's address: nothing to decide", async () => {
      threePids.threePids.push(aThreePid().forUser(BOB).email('bob@example.org').build());
      await expect(service.remove(ALICE, 'email', 'bob@example.org')).resolves.toBe('no-support');
      expect(policy.asked).toEqual([]);
      expect(events.events).toEqual([]);
    });
  });

  describe('what it counts, for the metrics', () => {
    let metrics: RecordingThreePidMetrics;
    beforeEach(() => {
      metrics = new RecordingThreePidMetrics();
      service = serviceWith({}, metrics);
    });

    it('counts an address added with a session, one added on an identity server\'s word, and one removed', async () => {
      await service.add(ALICE, credentials(await stored(aValidationSession().msisdn('447700900123').validated().build())));
      gateway.validated = { medium: 'email', address: 'alice@example.org', validatedAt: t0 };
      await service.addDeprecated(ALICE, { sid: 'is-session', clientSecret, idServer: 'id.example.org', idAccessToken: 'is-token' });
      await service.remove(ALICE, 'email', 'alice@example.org');
      expect(metrics.counted).toEqual([
        'threePidAdded msisdn',
        'identityServerCall get_validated_3pid success',
        'threePidAdded email',
        'threePidRemoved email',
      ]);
    });

    it('counts no add that failed, and no removal of an address that was not on the account or stayed on it', async () => {
      threePids.threePids.push(aThreePid().forUser(BOB).email('alice@example.org').build());
      await expect(service.add(ALICE, credentials(await validatedEmail()))).rejects.toMatchObject({ errcode: 'M_THREEPID_IN_USE' });
      await expect(service.remove(ALICE, 'email', 'alice@example.org')).resolves.toBe('no-support');
      threePids.threePids.push(aThreePid().forUser(ALICE).email('kept@example.org').build());
      await bindings.record({ userId: ALICE, medium: 'email', address: 'kept@example.org', idServer: 'id.example.org', boundAt: t0 });
      gateway.unbindResults.set('id.example.org', new IdentityServerUnavailableError('timeout', IdServer.parse('id.example.org')));
      await expect(service.remove(ALICE, 'email', 'kept@example.org')).rejects.toMatchObject({ status: 504 });
      expect(metrics.counted).toEqual(['identityServerCall unbind timeout']);
    });
  });
});
