import { Clock } from '../../src/common/clock';
import { ValidationService } from '../../src/threepid/application/validation.service';
import { ThreePidRepository } from '../../src/threepid/domain/ports/three-pid.repository';
import { ValidationSessionRepository } from '../../src/threepid/domain/ports/validation-session.repository';
import { aThreePid } from '../builders/three-pid.builder';
import { DATABASE_KINDS } from '../support/databases';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startAnotherInstance, startTestApp, TestApp } from '../support/test-app';

const EMAIL_REQUEST = '/_matrix/client/v3/account/3pid/email/requestToken';
const MSISDN_REQUEST = '/_matrix/client/v3/account/3pid/msisdn/requestToken';
const EMAIL_SUBMIT = '/_matrix/client/unstable/add_threepid/email/submit_token';
const MSISDN_SUBMIT = '/_matrix/client/unstable/add_threepid/msisdn/submit_token';
const HOUR = 3_600_000;

let addressCount = 0;
/** A fresh address per test, so that tests sharing an app never meet. */
const newEmail = () => `user${++addressCount}@example.org`;
const newPhone = () => `07700 900${String(++addressCount).padStart(3, '0')}`;

describe.each(DATABASE_KINDS)('validation sessions [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  const sessions = () => t.app.get<ValidationSessionRepository>(ValidationSessionRepository);
  const isValidated = async (sid: string) => (await sessions().findBySid(sid))?.isValidated;
  /** Moves the application's clock forward by `ms`. */
  const travel = (ms: number) => {
    const clock = t.app.get<Clock>(Clock);
    const now = clock.now();
    jest.spyOn(clock, 'now').mockReturnValue(now + ms);
  };
  const requestEmail = (body: Record<string, unknown>) =>
    t.http().post(EMAIL_REQUEST).send({ client_secret: 'monkeys_are_GREAT', send_attempt: 1, ...body });
  const requestSms = (body: Record<string, unknown>) =>
    t.http().post(MSISDN_REQUEST).send({ client_secret: 'monkeys_are_GREAT', send_attempt: 1, country: 'GB', ...body });
  /** Opens the link from the latest e-mail as a browser does, then clicks the confirm button. */
  const confirmLatestLink = async () => {
    const link = smtp.lastLink();
    await t.http().get(link.pathname + link.search).expect(200);
    return t.http().post(link.pathname + link.search).type('form').send('');
  };

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    t = await startTestApp(kind, {
      SMTP_URL: smtp.url,
      SMS_WEBHOOK_URL: sms.url,
      EMAIL_FROM: 'Test server <noreply@test.local>',
      PUBLIC_BASEURL: 'https://matrix.test.local/',
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    smtp.rejectRecipients = false;
    sms.failWith = undefined;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
  });

  it('e-mails a link that validates the address once the user confirms it', async () => {
    const response = await requestEmail({ email: '  Alice.Validates@EXAMPLE.org ' }).expect(200);
    expect(Object.keys(response.body)).toEqual(['sid']); // no submit_url: the link does the work
    const { sid } = response.body;
    expect(sid).toMatch(/^[0-9a-zA-Z.=_-]{1,255}$/);

    // The SMTP server has the message before requestToken answers.
    const received = smtp.messages.at(-1)!;
    expect(received.to).toEqual(['alice.validates@example.org']);
    expect(received.from).toBe('noreply@test.local');
    expect(received.subject).toBe('[test.local] Validate your email');
    const link = smtp.lastLink();
    expect(link.origin + link.pathname).toBe(`https://matrix.test.local${EMAIL_SUBMIT}`);
    expect([...link.searchParams.keys()]).toEqual(['token', 'client_secret', 'sid']);
    expect(link.searchParams.get('sid')).toBe(sid);
    expect(received.html).toContain(link.search.replace(/&/g, '&#38;'));

    // Opening the link only shows a page: a mail scanner that fetches it validates nothing.
    const page = await t.http().get(link.pathname + link.search).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('alice.validates@example.org');
    expect(page.text).toContain('<form method="post">');
    expect(await isValidated(sid)).toBe(false);

    const confirmed = await t.http().post(link.pathname + link.search).type('form').send('').expect(200);
    expect(confirmed.text).toContain('Your email address has been confirmed');
    expect(await isValidated(sid)).toBe(true);

    // A second click, or opening the link again, is harmless.
    await t.http().post(link.pathname + link.search).type('form').send('').expect(200);
    expect((await t.http().get(link.pathname + link.search).expect(200)).text).toContain('already confirmed');
  });

  it('redirects to next_link, with the sid added, after the confirmation', async () => {
    const { sid } = (await requestEmail({ email: newEmail(), next_link: 'https://app.example.org/done?step=3#top' }).expect(200)).body;
    const link = smtp.lastLink();
    const page = await t.http().get(link.pathname + link.search).expect(200);
    expect(page.text).toContain('You will then be taken to <strong>app.example.org</strong>');
    const response = await t.http().post(link.pathname + link.search).type('form').send('').expect(302);
    expect(response.headers.location).toBe(`https://app.example.org/done?step=3&sid=${sid}#top`);
    expect(response.headers['referrer-policy']).toBe('no-referrer'); // the page URL holds the token
    expect(await isValidated(sid)).toBe(true);
  });

  it('validates an e-mail address with the token posted as JSON too', async () => {
    const { sid } = (await requestEmail({ email: newEmail(), client_secret: 'json-secret' }).expect(200)).body;
    const token = smtp.lastLink().searchParams.get('token');
    const response = await t.http().post(EMAIL_SUBMIT).send({ sid, client_secret: 'json-secret', token }).expect(200);
    expect(response.body).toEqual({ success: true });
    expect(await isValidated(sid)).toBe(true);
  });

  it('texts a code that validates the phone number at submit_url', async () => {
    const response = await requestSms({ phone_number: '07700900123', client_secret: 'sms-secret' }).expect(200);
    expect(response.body).toEqual({
      sid: expect.any(String),
      msisdn: '447700900123',
      intl_fmt: '+44 7700 900123',
      submit_url: `https://matrix.test.local${MSISDN_SUBMIT}`,
    });
    expect(sms.messages.at(-1)).toMatchObject({ to: '447700900123', contentType: 'application/json' });
    expect(sms.messages.at(-1)!.body).toContain('test.local');

    const { sid } = response.body;
    expect(await isValidated(sid)).toBe(false);
    const submitted = await t.http().post(MSISDN_SUBMIT).send({ sid, client_secret: 'sms-secret', token: sms.lastCode() }).expect(200);
    expect(submitted.body).toEqual({ success: true });
    expect(await isValidated(sid)).toBe(true);
  });

  describe('send_attempt', () => {
    it('answers a repeated attempt with the same sid and sends nothing', async () => {
      const email = newEmail();
      const first = (await requestEmail({ email, send_attempt: 1 }).expect(200)).body.sid;
      const sent = smtp.messages.length;
      const again = (await requestEmail({ email: email.toUpperCase(), send_attempt: 1 }).expect(200)).body.sid;
      const lower = (await requestEmail({ email, send_attempt: 0 }).expect(200)).body.sid;
      expect([again, lower]).toEqual([first, first]);
      expect(smtp.messages.length).toBe(sent);
    });

    it('sends a new token for a higher attempt, in the same session, and the earlier token still works', async () => {
      const email = newEmail();
      const first = (await requestEmail({ email, send_attempt: 1 }).expect(200)).body.sid;
      const firstLink = smtp.lastLink();
      const sent = smtp.messages.length;
      const second = (await requestEmail({ email, send_attempt: 2 }).expect(200)).body.sid;
      expect(second).toBe(first);
      expect(smtp.messages.length).toBe(sent + 1);
      expect(smtp.lastLink().searchParams.get('token')).not.toBe(firstLink.searchParams.get('token'));

      await t.http().post(firstLink.pathname + firstLink.search).type('form').send('').expect(200);
      expect(await isValidated(first)).toBe(true);
    });

    it('starts a new session once the previous one is validated, and one per address', async () => {
      const email = newEmail();
      const first = (await requestEmail({ email }).expect(200)).body.sid;
      expect((await confirmLatestLink()).status).toBe(200);
      const afterValidation = (await requestEmail({ email }).expect(200)).body.sid;
      expect(afterValidation).not.toBe(first);
      const otherAddress = (await requestEmail({ email: newEmail() }).expect(200)).body.sid;
      expect(otherAddress).not.toBe(afterValidation);
      const otherSecret = (await requestEmail({ email, client_secret: 'another' }).expect(200)).body.sid;
      expect(otherSecret).not.toBe(afterValidation);
    });

    it('follows the same rules for SMS', async () => {
      const phone = newPhone();
      const first = (await requestSms({ phone_number: phone, send_attempt: 5 }).expect(200)).body.sid;
      const sent = sms.messages.length;
      expect((await requestSms({ phone_number: phone, send_attempt: 5 }).expect(200)).body.sid).toBe(first);
      expect(sms.messages.length).toBe(sent);
      expect((await requestSms({ phone_number: phone, send_attempt: 6 }).expect(200)).body.sid).toBe(first);
      expect(sms.messages.length).toBe(sent + 1);
    });
  });

  describe('requestToken errors, each with its Matrix error', () => {
    it.each([
      ['a missing email', { email: undefined }, 400, 'M_MISSING_PARAM'],
      ['a missing send_attempt', { email: 'x@example.org', send_attempt: undefined }, 400, 'M_MISSING_PARAM'],
      ['a string send_attempt', { email: 'x@example.org', send_attempt: '1' }, 400, 'M_BAD_JSON'],
      ['a number as email', { email: 42 }, 400, 'M_BAD_JSON'],
      ['a client_secret with a space', { email: 'x@example.org', client_secret: 'a b' }, 400, 'M_INVALID_PARAM'],
      ['a client_secret of 256 characters', { email: 'x@example.org', client_secret: 'a'.repeat(256) }, 400, 'M_INVALID_PARAM'],
      ['an empty client_secret', { email: 'x@example.org', client_secret: '' }, 400, 'M_INVALID_PARAM'],
      ['an email without @', { email: 'not-an-address' }, 400, 'M_INVALID_PARAM'],
      ['an email with two @', { email: 'a@b@example.org' }, 400, 'M_INVALID_PARAM'],
      ['id_server without id_access_token', { email: 'x@example.org', id_server: 'id.example.org' }, 400, 'M_INVALID_PARAM'],
      ['a javascript: next_link', { email: 'x@example.org', next_link: 'javascript:alert(1)' }, 400, 'M_INVALID_PARAM'],
      ['a relative next_link', { email: 'x@example.org', next_link: '/done' }, 400, 'M_INVALID_PARAM'],
      ['an empty next_link', { email: 'x@example.org', next_link: '' }, 400, 'M_INVALID_PARAM'],
      ['an email of 600 characters', { email: `${'a'.repeat(588)}@example.org` }, 400, 'M_INVALID_PARAM'],
      ['an email hiding a right-to-left override', { email: 'adm\u202Enim@example.org' }, 400, 'M_INVALID_PARAM'],
    ])('refuses %s', async (_case, body, status, errcode) => {
      const sent = smtp.messages.length;
      const response = await requestEmail(body).expect(status);
      expect(response.body).toEqual({ errcode, error: expect.any(String) });
      expect(smtp.messages.length).toBe(sent);
    });

    it('refuses a body that is not JSON', async () => {
      const response = await t.http().post(EMAIL_REQUEST).type('text/plain').send('{"email":').expect(400);
      expect(response.body.errcode).toBe('M_NOT_JSON');
    });

    it.each([
      ['an unknown country', { country: 'XX', phone_number: '07700900123' }],
      ['letters for a number', { phone_number: 'call me maybe' }],
      ['too few digits', { phone_number: '12' }],
      ['60 000 spaces', { phone_number: `${' '.repeat(60_000)}x` }],
      ['a number with words after it', { phone_number: '07700900123 ext. 5' }],
    ])('refuses %s for a phone number', async (_case, body) => {
      const response = await requestSms(body).expect(400);
      expect(response.body.errcode).toBe('M_INVALID_PARAM');
    });

    it('accepts id_server with id_access_token, and ignores them', async () => {
      await requestEmail({ email: newEmail(), id_server: 'id.example.org', id_access_token: 'abc' }).expect(200);
    });

    it('refuses an address already on any account, in any spelling of it', async () => {
      await t.createUser('owner', 'a long password 123');
      const threePids = t.app.get<ThreePidRepository>(ThreePidRepository);
      await threePids.add(aThreePid().forUser('@owner:test.local').email('taken@example.org').build());
      await threePids.add(aThreePid().forUser('@owner:test.local').msisdn('447700900999').build());
      const sent = smtp.messages.length;

      const email = await requestEmail({ email: ' TAKEN@Example.ORG' }).expect(400);
      expect(email.body).toEqual({ errcode: 'M_THREEPID_IN_USE', error: expect.any(String) });
      const phone = await requestSms({ phone_number: '+44 7700 900999' }).expect(400);
      expect(phone.body.errcode).toBe('M_THREEPID_IN_USE');
      expect(smtp.messages.length).toBe(sent);
    });

    it('checks in the documented order', async () => {
      const inUse = 'taken@example.org';
      // client_secret before the address; the address before next_link; next_link before in-use.
      expect((await requestEmail({ email: 'bad', client_secret: 'a b' }).expect(400)).body.error).toMatch(/client_secret/);
      expect((await requestEmail({ email: 'bad', next_link: 'ftp://x' }).expect(400)).body.error).toMatch(/email/);
      expect((await requestEmail({ email: 'x@example.org', id_server: 'i', next_link: 'ftp://x' }).expect(400)).body.error).toMatch(/id_access_token/);
      expect((await requestEmail({ email: inUse, next_link: 'ftp://x' }).expect(400)).body.error).toMatch(/next_link/);
      // A missing field before a bad value.
      expect((await requestEmail({ email: undefined, client_secret: 'a b' }).expect(400)).body.errcode).toBe('M_MISSING_PARAM');
    });
  });

  describe('submitting a token', () => {
    it('refuses a wrong token, a wrong secret, an unknown sid and the wrong medium, and validates nothing', async () => {
      const { sid } = (await requestSms({ phone_number: newPhone(), client_secret: 'right' }).expect(200)).body;
      const code = sms.lastCode();
      const wrongCode = code === '000000' ? '111111' : '000000';
      const cases: [Record<string, string>, string, string][] = [
        [{ sid, client_secret: 'right', token: wrongCode }, MSISDN_SUBMIT, 'M_TOKEN_INCORRECT'],
        [{ sid, client_secret: 'wrong', token: code }, MSISDN_SUBMIT, 'M_NO_VALID_SESSION'],
        [{ sid: 'unknown', client_secret: 'right', token: code }, MSISDN_SUBMIT, 'M_NO_VALID_SESSION'],
        [{ sid, client_secret: 'right', token: code }, EMAIL_SUBMIT, 'M_NO_VALID_SESSION'],
      ];
      for (const [body, path, errcode] of cases) {
        const response = await t.http().post(path).send(body).expect(400);
        expect({ path, body, answer: response.body }).toEqual({ path, body, answer: { errcode, error: expect.any(String) } });
      }
      expect(await isValidated(sid)).toBe(false);
      await t.http().post(MSISDN_SUBMIT).send({ sid, client_secret: 'right', token: code }).expect(200);
    });

    it('refuses a submission with a missing field or a malformed secret', async () => {
      expect((await t.http().post(MSISDN_SUBMIT).send({ sid: 'x', client_secret: 'y' }).expect(400)).body.errcode).toBe('M_MISSING_PARAM');
      expect((await t.http().post(EMAIL_SUBMIT).send({ sid: 'x', client_secret: 'a b', token: 't' }).expect(400)).body.errcode).toBe(
        'M_INVALID_PARAM',
      );
    });

    it('stops accepting codes after five wrong ones; asking again starts a new session', async () => {
      const phone = newPhone();
      const { sid } = (await requestSms({ phone_number: phone, client_secret: 'guess' }).expect(200)).body;
      const code = sms.lastCode();
      const wrong = code === '999999' ? '888888' : '999999';
      for (let attempt = 0; attempt < 5; attempt++) {
        await t.http().post(MSISDN_SUBMIT).send({ sid, client_secret: 'guess', token: wrong }).expect(400);
      }
      const locked = await t.http().post(MSISDN_SUBMIT).send({ sid, client_secret: 'guess', token: code }).expect(400);
      expect(locked.body.errcode).toBe('M_SESSION_EXPIRED');
      expect(await isValidated(sid)).toBe(false);

      const renewed = (await requestSms({ phone_number: phone, client_secret: 'guess', send_attempt: 1 }).expect(200)).body.sid;
      expect(renewed).not.toBe(sid);
      await t.http().post(MSISDN_SUBMIT).send({ sid: renewed, client_secret: 'guess', token: sms.lastCode() }).expect(200);
      expect(await isValidated(renewed)).toBe(true);
    });

    it('counts wrong codes submitted at the same time', async () => {
      const { sid } = (await requestSms({ phone_number: newPhone(), client_secret: 'burst' }).expect(200)).body;
      const code = sms.lastCode();
      const guesses = Array.from({ length: 20 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
      await Promise.all(guesses.map((token) => t.http().post(MSISDN_SUBMIT).send({ sid, client_secret: 'burst', token }).expect(400)));
      const response = await t.http().post(MSISDN_SUBMIT).send({ sid, client_secret: 'burst', token: code }).expect(400);
      expect(response.body.errcode).toBe('M_SESSION_EXPIRED');
    });

    it('shows pages that say why an e-mail link cannot be used', async () => {
      const { sid } = (await requestEmail({ email: newEmail() }).expect(200)).body;
      const link = smtp.lastLink();
      const withParameter = (name: string, value: string | undefined) => {
        const url = new URL(link);
        if (value === undefined) url.searchParams.delete(name);
        else url.searchParams.set(name, value);
        return url.pathname + url.search;
      };
      const pages: [string, string, string, RegExp][] = [
        ['GET', withParameter('sid', 'unknown'), 'unknown session', /unknown validation session/i],
        ['GET', withParameter('client_secret', 'other'), 'another secret', /unknown validation session/i],
        ['GET', withParameter('token', undefined), 'a cut link', /incomplete/],
        ['POST', withParameter('token', 'wrong'), 'a wrong token', /token is incorrect/],
        ['POST', withParameter('sid', undefined), 'a cut link', /incomplete/],
      ];
      for (const [method, path, _case, reason] of pages) {
        const request = method === 'GET' ? t.http().get(path) : t.http().post(path).type('form').send('');
        const response = await request.expect(400);
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        expect(response.text).toMatch(reason);
      }
      expect(await isValidated(sid)).toBe(false);
    });
  });

  describe('lifetimes', () => {
    it('expires a token after an hour; a newer one still works', async () => {
      const email = newEmail();
      const { sid } = (await requestEmail({ email, client_secret: 'slow' }).expect(200)).body;
      const oldToken = smtp.lastLink().searchParams.get('token');
      travel(HOUR + 1);
      const expired = await t.http().post(EMAIL_SUBMIT).send({ sid, client_secret: 'slow', token: oldToken }).expect(400);
      expect(expired.body).toEqual({ errcode: 'M_SESSION_EXPIRED', error: expect.stringMatching(/token has expired/) });
      expect(await isValidated(sid)).toBe(false);

      await requestEmail({ email, client_secret: 'slow', send_attempt: 2 }).expect(200);
      const response = await confirmLatestLink();
      expect(response.status).toBe(200);
      expect(await isValidated(sid)).toBe(true);
    });

    it('ends a session after 24 hours: new requests start another, and the purge deletes it', async () => {
      const email = newEmail();
      const { sid } = (await requestEmail({ email, client_secret: 'old' }).expect(200)).body;
      const token = smtp.lastLink().searchParams.get('token');
      travel(24 * HOUR);
      const late = await t.http().post(EMAIL_SUBMIT).send({ sid, client_secret: 'old', token }).expect(400);
      expect(late.body.errcode).toBe('M_SESSION_EXPIRED');
      const renewed = (await requestEmail({ email, client_secret: 'old' }).expect(200)).body.sid;
      expect(renewed).not.toBe(sid);
      // A reminder too late for a whole token lifetime starts a new session, so its link works an hour.
      travel(23 * HOUR + HOUR / 2);
      const reminded = (await requestEmail({ email, client_secret: 'old', send_attempt: 2 }).expect(200)).body.sid;
      expect(reminded).not.toBe(renewed);
      jest.restoreAllMocks();

      travel(24 * HOUR);
      const { sid: stale } = (await requestSms({ phone_number: newPhone() }).expect(200)).body;
      travel(24 * HOUR + 48 * HOUR);
      expect(await t.app.get(ValidationService).purgeExpired()).toBeGreaterThanOrEqual(2);
      expect(await sessions().findBySid(renewed)).toBeUndefined();
      expect(await sessions().findBySid(reminded)).toBeUndefined();
      expect(await sessions().findBySid(stale)).toBeUndefined();
    });
  });

  describe('delivery failures', () => {
    it('answers a clear error when the mail server refuses, and keeps no session that claims a message went out', async () => {
      const email = newEmail();
      smtp.rejectRecipients = true;
      const failed = await requestEmail({ email, client_secret: 'retry' }).expect(500);
      expect(failed.body).toEqual({ errcode: 'M_UNKNOWN', error: 'The validation email could not be sent. Please try again later' });

      // The same send_attempt again really sends: nothing recorded the failed attempt as done.
      smtp.rejectRecipients = false;
      const sent = smtp.messages.length;
      const { sid } = (await requestEmail({ email, client_secret: 'retry' }).expect(200)).body;
      expect(smtp.messages.length).toBe(sent + 1);

      // A failed reminder takes back its token and attempt number, and the session goes on.
      smtp.rejectRecipients = true;
      await requestEmail({ email, client_secret: 'retry', send_attempt: 2 }).expect(500);
      smtp.rejectRecipients = false;
      expect((await requestEmail({ email, client_secret: 'retry', send_attempt: 2 }).expect(200)).body.sid).toBe(sid);
      expect(smtp.messages.length).toBe(sent + 2);
    });

    it('makes a repeat of a request wait while its message is being sent, and only then answers', async () => {
      const email = newEmail();
      const slow = smtp.holdNextMessage();
      const first = requestEmail({ email, client_secret: 'slow-smtp' }).then((response) => response);
      await slow.arrived;
      const repeat = await requestEmail({ email, client_secret: 'slow-smtp' }).expect(429);
      expect(repeat.body).toEqual({ errcode: 'M_LIMIT_EXCEEDED', error: expect.stringMatching(/still being sent/), retry_after_ms: 1000 });

      slow.release(false);
      expect((await first).status).toBe(500);
      const sent = smtp.messages.length;
      const retried = await requestEmail({ email, client_secret: 'slow-smtp' }).expect(200);
      expect(smtp.messages.length).toBe(sent + 1);
      expect((await requestEmail({ email, client_secret: 'slow-smtp' }).expect(200)).body.sid).toBe(retried.body.sid);
      expect(smtp.messages.length).toBe(sent + 1);
    });

    it('keeps a session that another request went on with while its first message failed', async () => {
      const email = newEmail();
      const slow = smtp.holdNextMessage();
      const first = requestEmail({ email, client_secret: 'overtaken', send_attempt: 1 }).then((response) => response);
      await slow.arrived;
      const second = await requestEmail({ email, client_secret: 'overtaken', send_attempt: 2 }).expect(200);
      const secondLink = smtp.lastLink();

      slow.release(false);
      expect((await first).status).toBe(500);
      await t.http().post(secondLink.pathname + secondLink.search).type('form').send('').expect(200);
      expect(await isValidated(second.body.sid)).toBe(true);
    });

    it('answers a clear error when the SMS webhook fails', async () => {
      const phone = newPhone();
      sms.failWith = 503;
      const failed = await requestSms({ phone_number: phone }).expect(500);
      expect(failed.body).toEqual({ errcode: 'M_UNKNOWN', error: 'The validation SMS could not be sent. Please try again later' });
      sms.failWith = undefined;
      const sent = sms.messages.length;
      await requestSms({ phone_number: phone }).expect(200);
      expect(sms.messages.length).toBe(sent + 1);
    });
  });

  it('keeps tokens and client secrets out of the log', async () => {
    const { sid } = (await requestEmail({ email: newEmail(), client_secret: 'log-secret-123' }).expect(200)).body;
    const link = smtp.lastLink();
    await t.http().get(link.pathname + link.search).expect(200);
    const token = link.searchParams.get('token')!;
    const requestLines = t.logs.filter((line) => line.includes(EMAIL_SUBMIT));
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.join('\n')).toContain(sid);
    expect(t.logs.join('\n')).not.toContain(token);
    expect(t.logs.join('\n')).not.toContain('log-secret-123');
  });
});

describe.each(DATABASE_KINDS)('two instances behind a load balancer [%s]', (kind) => {
  // Two connections to one SQLite file would only test SQLite's locking; the shared server is the case.
  if (kind !== 'mysql') return;

  let a: TestApp;
  let b: TestApp;
  let sms: SmsWebhook;
  beforeAll(async () => {
    sms = await SmsWebhook.start();
    a = await startTestApp(kind, { SMS_WEBHOOK_URL: sms.url });
    b = await startAnotherInstance(a, { SMS_WEBHOOK_URL: sms.url });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await sms.stop();
  });
  const request = (app: TestApp, body: Record<string, unknown> = {}) =>
    app.http().post(MSISDN_REQUEST).send({ client_secret: 'shared', send_attempt: 1, country: 'GB', phone_number: '07700900555', ...body });

  it('open one session for simultaneous requests, send one SMS, and finish on either instance', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => request(i % 2 ? a : b)));
    // A repeat that arrives while the SMS is going out is asked to wait (429); none opens a second session.
    expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 429)).toEqual([]);
    const sids = new Set(answers.filter((answer) => answer.status === 200).map((answer) => answer.body.sid));
    expect(sids.size).toBe(1);
    expect(sms.messages).toHaveLength(1);

    const [sid] = sids;
    await b.http().post(MSISDN_SUBMIT).send({ sid, client_secret: 'shared', token: sms.lastCode() }).expect(200);
    const after = await request(a).expect(200);
    expect(after.body.sid).not.toBe(sid); // validated on b, so a starts a new session
  });

  it('count wrong codes from both instances together', async () => {
    const { sid } = (await request(a, { client_secret: 'guessed', phone_number: '07700900556' }).expect(200)).body;
    const code = sms.lastCode();
    const guesses = Array.from({ length: 30 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    const answers = await Promise.all(
      guesses.map((token, i) => (i % 2 ? a : b).http().post(MSISDN_SUBMIT).send({ sid, client_secret: 'guessed', token })),
    );
    const errcodes = answers.map((answer) => answer.body.errcode);
    expect(errcodes.filter((errcode) => errcode === 'M_TOKEN_INCORRECT')).toHaveLength(5);
    expect(errcodes.filter((errcode) => errcode === 'M_SESSION_EXPIRED')).toHaveLength(25);
  });
});

describe.each(DATABASE_KINDS)('validation settings [%s]', (kind) => {
  it('refuses everything with 403 M_FORBIDDEN when 3PID changes are disabled, before reading the body', async () => {
    const t = await startTestApp(kind, { THREEPID_CHANGES_ENABLED: 'false' });
    try {
      for (const path of [EMAIL_REQUEST, MSISDN_REQUEST]) {
        const response = await t.http().post(path).send({ client_secret: 'a b' }).expect(403);
        expect(response.body).toEqual({ errcode: 'M_FORBIDDEN', error: expect.any(String) });
        const notJson = await t.http().post(path).type('text/plain').send('{"email":').expect(403);
        expect(notJson.body.errcode).toBe('M_FORBIDDEN');
      }
    } finally {
      await t.close();
    }
  });

  it('applies the medium switch, the allow-list and the next_link hosts', async () => {
    const sms = await SmsWebhook.start();
    const t = await startTestApp(kind, {
      THREEPID_MEDIA: 'msisdn',
      THREEPID_ALLOWLIST: 'msisdn:44*, email:*@example.org',
      NEXT_LINK_ALLOWED_HOSTS: 'app.example.org',
      SMS_WEBHOOK_URL: sms.url,
    });
    try {
      const email = await t.http().post(EMAIL_REQUEST).send({ client_secret: 'a b' }).expect(400);
      expect(email.body).toEqual({ errcode: 'M_THREEPID_MEDIUM_NOT_SUPPORTED', error: expect.any(String) });

      const request = (body: Record<string, unknown>) =>
        t.http().post(MSISDN_REQUEST).send({ client_secret: 's', send_attempt: 1, country: 'GB', phone_number: '07700900123', ...body });
      const denied = await request({ country: 'FR', phone_number: '0612345678', next_link: 'https://elsewhere.example/' }).expect(403);
      expect(denied.body).toEqual({ errcode: 'M_THREEPID_DENIED', error: expect.any(String) });
      const elsewhere = await request({ next_link: 'https://elsewhere.example/' }).expect(400);
      expect(elsewhere.body.errcode).toBe('M_INVALID_PARAM');
      await request({ next_link: 'https://app.example.org/done' }).expect(200);
      expect(sms.messages).toHaveLength(1);

      const token = await t.login('alice');
      const capabilities = await t.http().get('/_matrix/client/v3/capabilities').auth(token, { type: 'bearer' }).expect(200);
      expect(capabilities.body.capabilities['m.3pid_changes']).toEqual({ enabled: true });
    } finally {
      await t.close();
      await sms.stop();
    }
  });

  it('says m.3pid_changes is off when no medium is delivered', async () => {
    const t = await startTestApp(kind, { THREEPID_MEDIA: 'none' });
    try {
      const token = await t.login('alice');
      const capabilities = await t.http().get('/_matrix/client/v3/capabilities').auth(token, { type: 'bearer' }).expect(200);
      expect(capabilities.body.capabilities['m.3pid_changes']).toEqual({ enabled: false });
      const response = await t.http().post(MSISDN_REQUEST).send({}).expect(400);
      expect(response.body.errcode).toBe('M_THREEPID_MEDIUM_NOT_SUPPORTED');
    } finally {
      await t.close();
    }
  });

  it('writes the validation e-mail to the log when no SMTP_URL is set, so that a bare server can be tried', async () => {
    const t = await startTestApp(kind);
    try {
      const { sid } = (
        await t.http().post(EMAIL_REQUEST).send({ client_secret: 'try-it', send_attempt: 1, email: 'me@example.org' }).expect(200)
      ).body;
      const line = t.logs.map((entry) => JSON.parse(entry)).find((entry) => entry.msg === 'Email not sent (no SMTP_URL)');
      expect(line).toMatchObject({ to: 'me@example.org', subject: '[test.local] Validate your email' });
      const link = new URL(line.text.match(/https?:\/\/\S+/)[0]);
      expect(link.searchParams.get('sid')).toBe(sid);
      await t.http().post(link.pathname + link.search).type('form').send('').expect(200);
      expect((await t.app.get<ValidationSessionRepository>(ValidationSessionRepository).findBySid(sid))?.isValidated).toBe(true);
    } finally {
      await t.close();
    }
  });
});
