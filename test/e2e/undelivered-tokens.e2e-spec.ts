import { Clock } from '../../src/common/clock';
import { DELIVERY_TIMEOUT_MS } from '../../src/threepid/domain/validation-session';
import { clientOf, MSISDN_REQUEST, MSISDN_SUBMIT } from '../support/client';
import { DATABASE_KINDS } from '../support/databases';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * No session is validated by a message that was never sent. A token is stored before its SMS goes
 * out, so that a quick submission finds it; if the gateway then fails, a validation made with it
 * meanwhile is undone, and a session never holds more live unsent tokens than one per send.
 * The gateway is a real HTTP server that answers slowly (it holds its answer until the test has
 * submitted the code), and then fails.
 */
describe.each(DATABASE_KINDS)('tokens whose message was never sent [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  const client = clientOf(
    () => t,
    () => smtp,
    () => sms,
  );
  const requestSms = (phone: string, clientSecret: string, sendAttempt: number) =>
    t.http().post(MSISDN_REQUEST).send({ client_secret: clientSecret, country: 'GB', phone_number: phone, send_attempt: sendAttempt });
  const submit = (sid: string, clientSecret: string, token: string) => t.http().post(MSISDN_SUBMIT).send({ sid, client_secret: clientSecret, token });
  /** Moves the application's clock forward by `ms`. */
  const travel = (ms: number) => {
    const clock = t.app.get<Clock>(Clock);
    const now = clock.now();
    jest.spyOn(clock, 'now').mockReturnValue(now + ms);
  };

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    t = await startTestApp(kind, { SMTP_URL: smtp.url, SMS_WEBHOOK_URL: sms.url });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
  });

  it('undoes a validation made with a code whose SMS then failed: the address cannot be added with it', async () => {
    const dave = await t.login('dave');
    const { sid } = (await requestSms('07700 900441', 'slow-gateway', 1).expect(200)).body;
    const deliveredCode = sms.lastCode();

    const slow = sms.holdNext();
    const reminder = requestSms('07700 900441', 'slow-gateway', 2).then((response) => response);
    await slow.arrived;
    const quick = await submit(sid, 'slow-gateway', sms.lastCode()); // the quick click: it works
    const undeliveredCode = sms.lastCode();
    // Not yet usable, though: its message is still being sent.
    const tooEarly = await client.addWithUia(dave, 'dave', { sid, client_secret: 'slow-gateway' });
    slow.answer(502);
    const failed = await reminder;

    const added = await client.addWithUia(dave, 'dave', { sid, client_secret: 'slow-gateway' });
    const resubmitted = await submit(sid, 'slow-gateway', undeliveredCode);
    expect({
      quick: quick.status,
      tooEarly: [tooEarly.status, tooEarly.body.errcode],
      reminder: failed.status,
      added: [added.status, added.body.errcode],
      resubmitted: [resubmitted.status, resubmitted.body.errcode],
    }).toEqual({
      quick: 200,
      tooEarly: [429, 'M_LIMIT_EXCEEDED'],
      reminder: 500,
      added: [400, 'M_THREEPID_AUTH_FAILED'],
      resubmitted: [400, 'M_TOKEN_INCORRECT'],
    });

    // The code that did go out still validates, and then the address is added.
    await submit(sid, 'slow-gateway', deliveredCode).expect(200);
    expect((await client.addWithUia(dave, 'dave', { sid, client_secret: 'slow-gateway' })).status).toBe(200);
  });

  it('keeps at most one unsent token per send: a lost send that fails late does not let a third one start', async () => {
    const first = sms.holdNext();
    const lost = requestSms('07700 900442', 'hung-gateway', 1).then((response) => response);
    await first.arrived;
    // Its delivery was never confirmed in time: the same request now counts as not sent, and sends again.
    travel(DELIVERY_TIMEOUT_MS + 1);
    const second = sms.holdNext();
    const retried = requestSms('07700 900442', 'hung-gateway', 1).then((response) => response);
    await second.arrived;
    first.answer(502);
    expect((await lost).status).toBe(500);

    // The retry's message is still being sent: a repeat waits for it, rather than starting a third.
    const repeat = await requestSms('07700 900442', 'hung-gateway', 1);
    const sent = sms.messages.filter((message) => message.to === '447700900442').length;
    second.answer(200);
    const answered = await retried;
    expect({ repeat: repeat.status, sent, retried: answered.status }).toEqual({ repeat: 429, sent: 2, retried: 200 });
    // The one that did go out stands: its code validates.
    await submit(answered.body.sid, 'hung-gateway', sms.lastCode()).expect(200);
  });
});
