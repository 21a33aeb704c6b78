import { ThreePidRepository } from '../../src/threepid/domain/ports/three-pid.repository';
import { aThreePid } from '../builders/three-pid.builder';
import { EMAIL_REQUEST, MSISDN_REQUEST, MSISDN_SUBMIT } from '../support/client';
import { DATABASE_KINDS } from '../support/databases';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

const EMAIL_SUBMIT = '/_matrix/client/unstable/add_threepid/email/submit_token';
const SID = /^[0-9a-zA-Z.=_-]{1,255}$/;

/**
 * THREEPID_INHIBIT_ERRORS=true: requestToken answers an address already on an account exactly as
 * a free one (a sid, nothing sent), so that it tells nobody which addresses are registered.
 */
describe.each(DATABASE_KINDS)('THREEPID_INHIBIT_ERRORS [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  const requestEmail = (email: string, clientSecret: string, sendAttempt = 1) =>
    t.http().post(EMAIL_REQUEST).send({ client_secret: clientSecret, email, send_attempt: sendAttempt });
  const requestSms = (phone: string, clientSecret: string) =>
    t.http().post(MSISDN_REQUEST).send({ client_secret: clientSecret, country: 'GB', phone_number: phone, send_attempt: 1 });
  /** What a client can see of an answer: its status, its fields, and whether they look alike. */
  const shape = (response: { status: number; body: Record<string, unknown> }) => ({
    status: response.status,
    fields: Object.keys(response.body).sort(),
    sid: SID.test(String(response.body.sid)) && String(response.body.sid).length,
  });

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    t = await startTestApp(kind, { SMTP_URL: smtp.url, SMS_WEBHOOK_URL: sms.url, THREEPID_INHIBIT_ERRORS: 'true' });
    const threePids = t.app.get<ThreePidRepository>(ThreePidRepository);
    await threePids.add(aThreePid().forUser('@bob:test.local').email('taken@example.org').build());
    await threePids.add(aThreePid().forUser('@bob:test.local').msisdn('447700900002').build());
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
  });

  it('answers requestToken for an e-mail address in use as for a free one, and sends nothing', async () => {
    const free = await requestEmail('free@example.org', 'secret-free');
    const mailed = smtp.recipients.length;
    const taken = await requestEmail('Taken@example.org', 'secret-taken');
    expect(shape(taken)).toEqual(shape(free));
    expect(smtp.recipients.length).toBe(mailed);
    // A repeat of either request is a repeat: the same sid, nothing sent again.
    expect((await requestEmail('free@example.org', 'secret-free')).body).toEqual(free.body);
    expect((await requestEmail('Taken@example.org', 'secret-taken')).body).toEqual(taken.body);
    expect(smtp.recipients.length).toBe(mailed);
  });

  it('answers requestToken for a phone number in use as for a free one, fields and all, and sends nothing', async () => {
    const free = await requestSms('07700 900001', 'secret-free');
    const texted = sms.messages.length;
    const taken = await requestSms('07700 900002', 'secret-taken');
    expect(shape(taken)).toEqual(shape(free));
    expect(taken.body).toEqual({ ...free.body, sid: taken.body.sid, msisdn: '447700900002', intl_fmt: '+44 7700 900002' });
    expect(sms.messages.length).toBe(texted);
  });

  it("answers a token submitted for an in-use address's session as for a free address's wrong token", async () => {
    const free = (await requestEmail('another-free@example.org', 'submitter', 1)).body.sid as string;
    const taken = (await requestEmail('taken@example.org', 'submitter', 1)).body.sid as string;
    for (const path of [EMAIL_SUBMIT, MSISDN_SUBMIT]) {
      const submit = (sid: string) => t.http().post(path).send({ sid, client_secret: 'submitter', token: 'guessed-token' });
      const [forFree, forTaken] = [await submit(free), await submit(taken)];
      expect({ path, status: forTaken.status, body: forTaken.body }).toEqual({ path, status: forFree.status, body: forFree.body });
    }
  });
});
