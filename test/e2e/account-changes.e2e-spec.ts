import { Clock } from '../../src/common/clock';
import { ValidationSessionRepository } from '../../src/threepid/domain/ports/validation-session.repository';
import { DATABASE_KINDS } from '../support/databases';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startAnotherInstance, startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';
import { ADD, clientOf, DELETE, EMAIL_REQUEST, MSISDN_REQUEST, passwordAuth, THREEPIDS } from '../support/client';
const MINUTE = 60_000;
const PASSWORD_FLOWS = [{ stages: ['m.login.password'] }];

let addressCount = 0;
/** A fresh address per test, so that tests sharing an app never meet. */
const newEmail = () => `changes${++addressCount}@example.org`;

describe.each(DATABASE_KINDS)('adding and removing 3PIDs [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  let alice: string;
  let bob: string;
  const client = clientOf(
    () => t,
    () => smtp,
    () => sms,
  );
  /** Moves the application's clock forward by `ms`. */
  const travel = (ms: number) => {
    const clock = t.app.get<Clock>(Clock);
    const now = clock.now();
    jest.spyOn(clock, 'now').mockReturnValue(now + ms);
  };

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    t = await startTestApp(kind, { SMTP_URL: smtp.url, SMS_WEBHOOK_URL: sms.url, THREEPID_DEPRECATED_POST_ENABLED: 'true' });
    alice = await t.login('alice');
    bob = await t.login('bob');
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
  });

  it('lets a client add an e-mail address and a phone number with UIA, log in with them, and remove them', async () => {
    const carol = await t.login('carol');
    const email = await client.validateEmail('Carol.Example@EXAMPLE.org');

    const challenge = await client.add(carol, email).expect(401);
    expect(challenge.body).toEqual({ flows: PASSWORD_FLOWS, params: {}, session: expect.any(String) });
    const added = await client.add(carol, { ...email, auth: passwordAuth('carol', { session: challenge.body.session }) }).expect(200);
    expect(added.body).toEqual({});

    const phone = await client.validatePhone('07700 900777');
    await client.addWithUia(carol, 'carol', phone).then((response) => expect(response.status).toBe(200));

    expect(await client.list(carol)).toEqual([
      { medium: 'email', address: 'carol.example@example.org', validated_at: expect.any(Number), added_at: expect.any(Number) },
      { medium: 'msisdn', address: '447700900777', validated_at: expect.any(Number), added_at: expect.any(Number) },
    ]);

    // Any of the account's addresses logs in, in any of the spec's forms.
    for (const identification of [
      { identifier: { type: 'm.id.thirdparty', medium: 'email', address: ' CAROL.example@example.ORG' } },
      { identifier: { type: 'm.id.thirdparty', medium: 'msisdn', address: '447700900777' } },
      { identifier: { type: 'm.id.phone', country: 'GB', phone: '07700 900777' } },
      { medium: 'email', address: 'carol.example@example.org' },
    ]) {
      const login = await client.login(identification);
      expect({ identification, status: login.status, user: login.body.user_id }).toEqual({ identification, status: 200, user: '@carol:test.local' });
    }

    const removed = await client.remove(carol, { medium: 'email', address: 'Carol.Example@example.org' }).expect(200);
    expect(removed.body).toEqual({ id_server_unbind_result: 'no-support' });
    expect((await client.list(carol)).map((threePid: { address: string }) => threePid.address)).toEqual(['447700900777']);
    const loginByRemovedEmail = await client.login({ identifier: { type: 'm.id.thirdparty', medium: 'email', address: 'carol.example@example.org' } });
    expect(loginByRemovedEmail.status).toBe(403);
    expect(loginByRemovedEmail.body.errcode).toBe('M_FORBIDDEN');
  });

  describe('User-Interactive Authentication', () => {
    it('answers a request without auth, or with "auth": null, with the flows and a new session, and no errcode', async () => {
      const address = newEmail();
      const email = await client.validateEmail(address);
      const first = await client.add(alice, email).expect(401);
      const second = await client.add(alice, { ...email, auth: null }).expect(401);
      expect(first.body).toEqual({ flows: PASSWORD_FLOWS, params: {}, session: expect.any(String) });
      expect(second.body).toEqual({ flows: PASSWORD_FLOWS, params: {}, session: expect.any(String) });
      expect(second.body.session).not.toBe(first.body.session);
      expect(await client.list(alice)).not.toContainEqual(expect.objectContaining({ address }));
    });

    it('validates the body before UIA, and the access token before the body', async () => {
      const missingSid = await client.add(alice, { client_secret: 'x' }).expect(400);
      expect(missingSid.body.errcode).toBe('M_MISSING_PARAM');
      const badSecret = await client.add(alice, { client_secret: 'not valid!', sid: 'x' }).expect(400);
      expect(badSecret.body.errcode).toBe('M_INVALID_PARAM');
      const badAuth = await client.add(alice, { client_secret: 'x', sid: 'x', auth: 'password' }).expect(400);
      expect(badAuth.body.errcode).toBe('M_BAD_JSON');
      const noToken = await t.http().post(ADD).send({}).expect(401);
      expect(noToken.body.errcode).toBe('M_MISSING_TOKEN');
    });

    it('answers a wrong password with 401, the session, completed stages and M_FORBIDDEN; the right one then succeeds', async () => {
      const email = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, email).expect(401)).body;
      const wrong = await client.add(alice, { ...email, auth: passwordAuth('alice', { session, password: 'wrong' }) }).expect(401);
      expect(wrong.body).toEqual({
        errcode: 'M_FORBIDDEN',
        error: 'Invalid username or password',
        completed: [],
        flows: PASSWORD_FLOWS,
        params: {},
        session,
      });
      await client.add(alice, { ...email, auth: passwordAuth('alice', { session }) }).expect(200);
    });

    it.each([
      ['the full user ID', { identifier: { type: 'm.id.user', user: '@alice:test.local' } }],
      ['the localpart', { identifier: { type: 'm.id.user', user: 'alice' } }],
      ['the legacy top-level user', { user: 'alice' }],
    ])('accepts the password with %s', async (_name, identification) => {
      const email = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, email).expect(401)).body;
      await client.add(alice, { ...email, auth: { type: 'm.login.password', session, password: TEST_PASSWORD, ...identification } }).expect(200);
    });

    it('accepts the password with an m.id.thirdparty identifier of the account', async () => {
      const address = newEmail();
      await client.addWithUia(alice, 'alice', await client.validateEmail(address)).then((response) => expect(response.status).toBe(200));
      const next = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, next).expect(401)).body;
      const identifier = { type: 'm.id.thirdparty', medium: 'email', address: address.toUpperCase() };
      await client.add(alice, { ...next, auth: { type: 'm.login.password', session, identifier, password: TEST_PASSWORD } }).expect(200);
    });

    it("refuses another user's credentials with 403 M_FORBIDDEN, right or wrong: UIA tells nothing of other passwords", async () => {
      const email = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, email).expect(401)).body;
      const right = await client.add(alice, { ...email, auth: passwordAuth('bob', { session }) }).expect(403);
      expect(right.body).toEqual({ errcode: 'M_FORBIDDEN', error: expect.any(String) });
      const wrong = await client.add(alice, { ...email, auth: passwordAuth('bob', { session, password: 'guess' }) }).expect(403);
      expect(wrong.body).toEqual(right.body);
      const nobody = await client.add(alice, { ...email, auth: passwordAuth('nobody', { session }) }).expect(403);
      expect(nobody.body).toEqual(right.body);
      expect(await client.list(bob)).toEqual([]);
      // Not counted against bob either: his own UIA still works, after more such tries than the limit.
      for (let i = 0; i < 6; i++) await client.add(alice, { ...email, auth: passwordAuth('bob', { session, password: `guess-${i}` }) }).expect(403);
      await client.addWithUia(bob, 'bob', await client.validateEmail(newEmail())).then((response) => expect(response.status).toBe(200));
    });

    it.each([
      ['an unknown stage type', { type: 'm.login.dummy' }, 'M_UNKNOWN'],
      ['no password', { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' } }, 'M_MISSING_PARAM'],
      ['no identifier', { type: 'm.login.password', password: TEST_PASSWORD }, 'M_MISSING_PARAM'],
      ['an unknown identifier type', { type: 'm.login.password', identifier: { type: 'm.id.pet', name: 'rex' }, password: TEST_PASSWORD }, 'M_UNKNOWN'],
      ['a password that is not a string', { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 1234 }, 'M_BAD_JSON'],
    ])('answers a stage with %s with 400 %s', async (_case, auth, errcode) => {
      const email = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, email).expect(401)).body;
      const response = await client.add(alice, { ...email, auth: { ...auth, session } }).expect(400);
      expect(response.body).toEqual({ errcode, error: expect.any(String) });
    });

    it('binds the session to its user and its request: another body or another user gets 403', async () => {
      const first = await client.validateEmail(newEmail());
      const second = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, first).expect(401)).body;
      const otherBody = await client.add(alice, { ...second, auth: passwordAuth('alice', { session }) }).expect(403);
      expect(otherBody.body.errcode).toBe('M_FORBIDDEN');
      const otherUser = await client.add(bob, { ...first, auth: passwordAuth('bob', { session }) }).expect(403);
      expect(otherUser.body.errcode).toBe('M_FORBIDDEN');
      // The session itself is intact: its own request still goes through, with the keys in any order.
      await client.add(alice, { auth: passwordAuth('alice', { session }), sid: first.sid, client_secret: first.client_secret }).expect(200);
    });

    it('uses a session up: once it authorised a request, it authorises no other', async () => {
      const email = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, email).expect(401)).body;
      await client.add(alice, { ...email, auth: passwordAuth('alice', { session }) }).expect(200);
      const replay = await client.add(alice, { ...email, auth: { session } }).expect(400);
      expect(replay.body.errcode).toBe('M_UNKNOWN');
    });

    it('keeps a completed session for a retry when the request fails, e.g. until the e-mail link is clicked', async () => {
      const email = newEmail();
      const { sid } = (await t.http().post(EMAIL_REQUEST).send({ client_secret: 'later', email, send_attempt: 1 }).expect(200)).body;
      const body = { sid, client_secret: 'later' };
      const { session } = (await client.add(alice, body).expect(401)).body;
      const early = await client.add(alice, { ...body, auth: passwordAuth('alice', { session }) }).expect(400);
      expect(early.body.errcode).toBe('M_THREEPID_AUTH_FAILED');

      const link = smtp.lastLink();
      await t.http().post(link.pathname + link.search).type('form').send('').expect(200);
      // Only the session now: its password stage is already complete.
      await client.add(alice, { ...body, auth: { session } }).expect(200);
    });

    it('keeps ten open sessions per user: an eleventh drops the oldest', async () => {
      const henry = await t.login('henry');
      const email = await client.validateEmail(newEmail());
      const sessions: string[] = [];
      for (let i = 0; i < 11; i++) {
        sessions.push((await client.add(henry, email).expect(401)).body.session);
        travel(i + 1); // distinct creation times, so that "oldest" is well defined
      }
      const oldest = await client.add(henry, { ...email, auth: passwordAuth('henry', { session: sessions[0] }) }).expect(400);
      expect(oldest.body.errcode).toBe('M_UNKNOWN');
      await client.add(henry, { ...email, auth: passwordAuth('henry', { session: sessions[1] }) }).expect(200);
    });

    it('lets a session expire after 15 minutes', async () => {
      const email = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, email).expect(401)).body;
      travel(15 * MINUTE);
      const late = await client.add(alice, { ...email, auth: passwordAuth('alice', { session }) }).expect(400);
      expect(late.body.errcode).toBe('M_UNKNOWN');
    });

    it('authorises one of two simultaneous requests with one session', async () => {
      const email = await client.validateEmail(newEmail());
      const { session } = (await client.add(alice, email).expect(401)).body;
      const attempts = await Promise.all([1, 2, 3].map(() => client.add(alice, { ...email, auth: passwordAuth('alice', { session }) })));
      const statuses = attempts.map((attempt) => attempt.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      // The others were told to retry (429), or came late enough to find the session used up (400).
      for (const attempt of attempts.filter((attempt) => attempt.status !== 200)) {
        expect([
          { errcode: 'M_LIMIT_EXCEEDED', error: expect.any(String), retry_after_ms: 1000 },
          { errcode: 'M_UNKNOWN', error: expect.any(String) },
        ]).toContainEqual(attempt.body);
      }
      await client.add(alice, { ...email, auth: { session } }).expect(400);
    });

    it('limits wrong passwords per user: the sixth in ten minutes gets 429, even with the right password', async () => {
      const dave = await t.login('dave');
      const email = await client.validateEmail(newEmail());
      const { session } = (await client.add(dave, email).expect(401)).body;
      const wrongPassword = { ...email, auth: passwordAuth('dave', { session, password: 'guess' }) };
      for (let attempt = 1; attempt <= 5; attempt++) await client.add(dave, wrongPassword).expect(401);

      const limited = await client.add(dave, wrongPassword).expect(429);
      expect(limited.body).toEqual({ errcode: 'M_LIMIT_EXCEEDED', error: expect.any(String), retry_after_ms: expect.any(Number) });
      expect(limited.body.retry_after_ms).toBeGreaterThan(0);
      expect(limited.body.retry_after_ms).toBeLessThanOrEqual(10 * MINUTE);
      expect(Number(limited.headers['retry-after'])).toBe(Math.ceil(limited.body.retry_after_ms / 1000));
      await client.add(dave, { ...email, auth: passwordAuth('dave', { session }) }).expect(429);
      // Another user is not affected.
      await client.addWithUia(bob, 'bob', await client.validateEmail(newEmail())).then((response) => expect(response.status).toBe(200));

      travel(10 * MINUTE + 1);
      const { session: fresh } = (await client.add(dave, email).expect(401)).body;
      await client.add(dave, { ...email, auth: passwordAuth('dave', { session: fresh }) }).expect(200);
    });

    it('counts simultaneous wrong passwords: never more than the limit are checked', async () => {
      const erin = await t.login('erin');
      const email = await client.validateEmail(newEmail());
      const guess = (i: number) => client.add(erin, { ...email, auth: passwordAuth('erin', { password: `guess-${i}` }) });
      const burst = (await Promise.all(Array.from({ length: 12 }, (_, i) => guess(i)))).map((response) => response.status);
      // Attempts in flight count against each other, so a burst may get fewer than five checks, never more.
      const checkedInBurst = burst.filter((status) => status === 401).length;
      expect(checkedInBurst).toBeGreaterThanOrEqual(1);
      expect(checkedInBurst).toBeLessThanOrEqual(5);
      expect(burst.filter((status) => status === 429)).toHaveLength(12 - checkedInBurst);

      // The ones not checked were not counted: one at a time, exactly five wrong passwords in all are checked.
      const after: number[] = [];
      for (let i = 0; i < 6 - checkedInBurst; i++) after.push((await guess(100 + i)).status);
      expect(after).toEqual([...Array<number>(5 - checkedInBurst).fill(401), 429]);
    });
  });

  describe('POST /account/3pid/add', () => {
    it.each([
      ['a wrong client_secret', (session: { sid: string }) => ({ sid: session.sid, client_secret: 'not-the-secret' })],
      ['an unknown sid', () => ({ sid: 'no-such-session', client_secret: 'client-secret' })],
    ])('refuses %s with 400 M_THREEPID_AUTH_FAILED after UIA', async (_name, credentials) => {
      const session = await client.validateEmail(newEmail());
      const response = await client.addWithUia(alice, 'alice', credentials(session));
      expect(response.status).toBe(400);
      expect(response.body.errcode).toBe('M_THREEPID_AUTH_FAILED');
    });

    it('refuses a validation session that was used already, or has expired', async () => {
      const address = newEmail();
      const used = await client.validateEmail(address);
      await client.addWithUia(alice, 'alice', used).then((response) => expect(response.status).toBe(200));
      // Even with the address gone from the account, its session cannot add it again.
      await client.remove(alice, { medium: 'email', address }).expect(200);
      const again = await client.addWithUia(alice, 'alice', used);
      expect([again.status, again.body.errcode]).toEqual([400, 'M_THREEPID_AUTH_FAILED']);

      const expiring = await client.validateEmail(newEmail());
      travel(24 * 60 * MINUTE);
      const expired = await client.addWithUia(alice, 'alice', expiring);
      expect([expired.status, expired.body.errcode]).toEqual([400, 'M_THREEPID_AUTH_FAILED']);
    });

    it('refuses an address already on the caller\'s account with M_THREEPID_IN_USE', async () => {
      const address = newEmail();
      const first = await client.validateEmail(address, 'first-secret');
      const second = await client.validateEmail(address, 'second-secret');
      await client.addWithUia(alice, 'alice', first).then((response) => expect(response.status).toBe(200));
      const again = await client.addWithUia(alice, 'alice', second);
      expect([again.status, again.body]).toEqual([400, { errcode: 'M_THREEPID_IN_USE', error: 'This third-party identifier is already on your account' }]);
    });

    it("never moves an address off another account: the second to add it gets M_THREEPID_IN_USE, and keeps its session", async () => {
      const address = newEmail();
      const alicesSession = await client.validateEmail(address, 'alice-secret');
      const bobsSession = await client.validateEmail(address, 'bob-secret');
      await client.addWithUia(alice, 'alice', alicesSession).then((response) => expect(response.status).toBe(200));
      const response = await client.addWithUia(bob, 'bob', bobsSession);
      expect([response.status, response.body.errcode]).toEqual([400, 'M_THREEPID_IN_USE']);

      expect((await client.list(alice)).map((threePid: { address: string }) => threePid.address)).toContain(address);
      expect(await client.list(bob)).not.toContainEqual(expect.objectContaining({ address }));
      const bobsStored = await t.app.get<ValidationSessionRepository>(ValidationSessionRepository).findBySid(bobsSession.sid);
      expect(bobsStored!.snapshot().consumedAt).toBeUndefined();
    });
  });

  describe('wrong passwords at login', () => {
    it('count towards the same per-account limit as UIA: the sixth in ten minutes gets 429', async () => {
      await t.login('gina');
      const wrongLogin = () => client.login({ identifier: { type: 'm.id.user', user: 'gina' }, password: 'guess' });
      for (let attempt = 1; attempt <= 5; attempt++) await wrongLogin().expect(403);
      const limited = await wrongLogin().expect(429);
      expect(limited.body).toEqual({ errcode: 'M_LIMIT_EXCEEDED', error: expect.any(String), retry_after_ms: expect.any(Number) });
      await client.login({ identifier: { type: 'm.id.user', user: 'gina' } }).expect(429);
      // A user ID without an account answers alike, so that the limit tells nothing of who exists.
      const nobody = () => client.login({ identifier: { type: 'm.id.user', user: 'nobody-at-all' }, password: 'guess' });
      for (let attempt = 1; attempt <= 5; attempt++) await nobody().expect(403);
      expect((await nobody().expect(429)).body).toEqual({ ...limited.body, retry_after_ms: expect.any(Number) });
      // Other accounts are not affected.
      await client.login({ identifier: { type: 'm.id.user', user: 'bob' } }).expect(200);
      travel(10 * MINUTE);
      await client.login({ identifier: { type: 'm.id.user', user: 'gina' } }).expect(200);
    });
  });

  describe('POST /account/3pid/delete', () => {
    it("removes only the caller's own address, canonicalised, and answers the same for another user's", async () => {
      const address = newEmail();
      await client.addWithUia(alice, 'alice', await client.validateEmail(address)).then((response) => expect(response.status).toBe(200));

      const byBob = await client.remove(bob, { medium: 'email', address }).expect(200);
      expect(byBob.body).toEqual({ id_server_unbind_result: 'no-support' });
      expect((await client.list(alice)).map((threePid: { address: string }) => threePid.address)).toContain(address);

      const byAlice = await client.remove(alice, { medium: 'email', address: `  ${address.toUpperCase()}` }).expect(200);
      expect(byAlice.body).toEqual({ id_server_unbind_result: 'no-support' }); // bound at no identity server
      expect((await client.list(alice)).map((threePid: { address: string }) => threePid.address)).not.toContain(address);
    });

    it('removes a phone number given with a leading +', async () => {
      await client.addWithUia(bob, 'bob', await client.validatePhone('07700 900888')).then((response) => expect(response.status).toBe(200));
      await client.remove(bob, { medium: 'msisdn', address: '+447700900888' }).expect(200);
      expect(await client.list(bob)).not.toContainEqual(expect.objectContaining({ address: '447700900888' }));
    });

    it.each([
      [{ medium: 'fax', address: '123' }, 'M_INVALID_PARAM'],
      [{ medium: 'email' }, 'M_MISSING_PARAM'],
      [{ medium: 'email', address: 'no at sign' }, 'M_INVALID_PARAM'],
      [{ medium: 'msisdn', address: 'call me' }, 'M_INVALID_PARAM'],
    ])('refuses %j with 400 %s', async (body, errcode) => {
      const response = await client.remove(alice, body).expect(400);
      expect(response.body.errcode).toBe(errcode);
    });
  });

  describe('the deprecated POST /account/3pid', () => {
    it.each(['three_pid_creds', 'threePidCreds'])('adds the address of a validated session from %s, without UIA', async (field) => {
      const address = newEmail();
      const session = await client.validateEmail(address);
      const response = await t.http().post(THREEPIDS).auth(bob, { type: 'bearer' }).send({ [field]: { ...session, id_server: 'id.example.org' } });
      expect([response.status, response.body]).toEqual([200, {}]);
      expect((await client.list(bob)).map((threePid: { address: string }) => threePid.address)).toContain(address);
    });

    it('answers 403 M_THREEPID_AUTH_FAILED when the session does not vouch for an address', async () => {
      const { sid } = (await t.http().post(EMAIL_REQUEST).send({ client_secret: 'unclicked', email: newEmail(), send_attempt: 1 }).expect(200)).body;
      const response = await t.http().post(THREEPIDS).auth(bob, { type: 'bearer' }).send({ three_pid_creds: { sid, client_secret: 'unclicked' } }).expect(403);
      expect(response.body.errcode).toBe('M_THREEPID_AUTH_FAILED');
      const missing = await t.http().post(THREEPIDS).auth(bob, { type: 'bearer' }).send({}).expect(400);
      expect(missing.body.errcode).toBe('M_MISSING_PARAM');
    });
  });
});

describe.each(DATABASE_KINDS)('concurrent adds of one address [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await startTestApp(kind, { SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });
  const client = clientOf(
    () => t,
    () => smtp,
    () => undefined as never,
  );

  it('lets exactly one of two users add an address they both validated, every time', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    for (let round = 1; round <= 20; round++) {
      const address = `race${round}@example.org`;
      const alicesSession = await client.validateEmail(address, `alice-${round}`);
      const bobsSession = await client.validateEmail(address, `bob-${round}`);
      // One request each, UIA completed in it, sent at the same moment.
      const [forAlice, forBob] = await Promise.all([
        client.add(alice, { ...alicesSession, auth: passwordAuth('alice') }),
        client.add(bob, { ...bobsSession, auth: passwordAuth('bob') }),
      ]);
      const outcomes = [forAlice, forBob].map((response) => [response.status, response.body.errcode ?? 'ok']).sort();
      expect({ round, outcomes }).toEqual({ round, outcomes: [[200, 'ok'], [400, 'M_THREEPID_IN_USE']] });
      const owners = [...(await client.list(alice)), ...(await client.list(bob))].filter((threePid) => threePid.address === address);
      expect({ round, owners: owners.length }).toEqual({ round, owners: 1 });
    }
  }, 60_000);
});

describe.each(DATABASE_KINDS)('wrong passwords on two instances [%s]', (kind) => {
  // Two connections to one SQLite file would only test SQLite's locking; the shared server is the case.
  if (kind !== 'mysql') return;

  it('are counted together, and a session started on one continues on the other', async () => {
    const smtp = await SmtpSink.start();
    const a = await startTestApp(kind, { SMTP_URL: smtp.url });
    const b = await startAnotherInstance(a, { SMTP_URL: smtp.url });
    try {
      const token = await a.login('frank');
      const client = clientOf(
        () => a,
        () => smtp,
        () => undefined as never,
      );
      const first = await client.validateEmail('frank@example.org');
      const started = (await a.http().post(ADD).auth(token, { type: 'bearer' }).send(first).expect(401)).body.session;
      await b.http().post(ADD).auth(token, { type: 'bearer' }).send({ ...first, auth: passwordAuth('frank', { session: started }) }).expect(200);

      const email = await client.validateEmail('frank.second@example.org');
      const { session } = (await client.add(token, email).expect(401)).body;
      const wrong = { ...email, auth: passwordAuth('frank', { session, password: 'guess' }) };
      for (const instance of [a, b, a, b, a]) await instance.http().post(ADD).auth(token, { type: 'bearer' }).send(wrong).expect(401);
      await b.http().post(ADD).auth(token, { type: 'bearer' }).send(wrong).expect(429);
    } finally {
      await b.close();
      await a.close();
      await smtp.stop();
    }
  }, 30_000);
});

describe.each(DATABASE_KINDS)('account-change settings [%s]', (kind) => {
  it('refuses every change with 403 M_FORBIDDEN when 3PID changes are disabled, before the token and the body', async () => {
    const t = await startTestApp(kind, { THREEPID_CHANGES_ENABLED: 'false', THREEPID_DEPRECATED_POST_ENABLED: 'true' });
    try {
      const token = await t.login('alice');
      for (const path of [EMAIL_REQUEST, MSISDN_REQUEST, ADD, DELETE, THREEPIDS]) {
        const anonymous = await t.http().post(path).type('text/plain').send('{"not json').expect(403);
        expect({ path, body: anonymous.body }).toEqual({ path, body: { errcode: 'M_FORBIDDEN', error: '3PID changes are disabled on this server' } });
        const authenticated = await t.http().post(path).auth(token, { type: 'bearer' }).send({}).expect(403);
        expect(authenticated.body.errcode).toBe('M_FORBIDDEN');
      }
      expect((await t.http().get(THREEPIDS).auth(token, { type: 'bearer' }).expect(200)).body).toEqual({ threepids: [] });
      const capabilities = await t.http().get('/_matrix/client/v3/capabilities').auth(token, { type: 'bearer' }).expect(200);
      expect(capabilities.body.capabilities['m.3pid_changes']).toEqual({ enabled: false });
    } finally {
      await t.close();
    }
  });

  it('serves no deprecated POST /account/3pid unless THREEPID_DEPRECATED_POST_ENABLED=true: it adds without UIA', async () => {
    const t = await startTestApp(kind);
    try {
      const token = await t.login('alice');
      const response = await t.http().post(THREEPIDS).auth(token, { type: 'bearer' }).send({ three_pid_creds: { sid: 'x', client_secret: 'y' } }).expect(404);
      expect(response.body).toEqual({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
      await t.http().get(THREEPIDS).auth(token, { type: 'bearer' }).expect(200);
      const uia = await t.http().post(ADD).auth(token, { type: 'bearer' }).send({ sid: 'x', client_secret: 'y' }).expect(401);
      expect(uia.body.flows).toEqual(PASSWORD_FLOWS);
    } finally {
      await t.close();
    }
  });
});
