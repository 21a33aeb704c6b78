import { domainToASCII } from 'node:url';
import { DataSource } from 'typeorm';
import { clientOf, DELETE, EMAIL_REQUEST, LOGIN } from '../support/client';
import { DATABASE_KINDS } from '../support/databases';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const UNBIND = '/_matrix/client/v3/account/3pid/unbind';

/**
 * Two spellings of an address that reach one mailbox are one address: a domain in fullwidth letters
 * is mapped to ASCII on the way out (UTS #46), so `someone@ｅxample.org` is `someone@example.org`
 * for sending, in-use checks, the allow-list, login and delete alike.
 */
describe.each(DATABASE_KINDS)('one address, however its domain is spelt [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  let alice: string;
  const client = clientOf(
    () => t,
    () => smtp,
    () => sms,
  );
  const requestEmail = (email: string, clientSecret = 'canonical-secret') =>
    t.http().post(EMAIL_REQUEST).send({ client_secret: clientSecret, email, send_attempt: 1 });
  const sessionRows = async () => (await t.app.get(DataSource).query('SELECT address FROM threepid_validation_sessions')) as { address: string }[];

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    t = await startTestApp(kind, {
      SMTP_URL: smtp.url,
      SMS_WEBHOOK_URL: sms.url,
      // Patterns spelt as an administrator might: canonicalised at start-up like addresses.
      THREEPID_ALLOWLIST: 'email:*@ｅxample.org, email:*@*.ＥXAMPLE.org, email:*@XN--MLLER-KVA.de, msisdn:44*',
    });
    alice = await t.login('alice');
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
  });

  it('sends the validation mail for someone@ｅxample.org to someone@example.org, the mailbox it reaches, and keeps that address', async () => {
    const { sid } = (await requestEmail('mail@ｅxample.org').expect(200)).body;
    expect(smtp.messages.at(-1)!.to).toEqual(['mail@example.org']);
    expect(await sessionRows()).toContainEqual({ address: 'mail@example.org' });
    const link = smtp.lastLink();
    expect(link.searchParams.get('sid')).toBe(sid);
    expect((await t.http().get(link.pathname + link.search).expect(200)).text).toContain('mail@example.org');
  });

  it('keeps an internationalised domain in its Unicode form, and mails its one ASCII form', async () => {
    await requestEmail('Mail@MÜLLER.de').expect(200);
    // The sink (smtp-server) decodes A-labels in the envelope; the header shows what went out.
    expect(smtp.messages.at(-1)!.to).toEqual(['mail@müller.de']);
    expect(smtp.messages.at(-1)!.raw).toMatch(/^To: mail@xn--mller-kva\.de\r?$/m);
    await requestEmail('other@xn--mller-kva.de').expect(200);
    expect(smtp.messages.at(-1)!.to).toEqual(['other@müller.de']);
    expect(smtp.messages.at(-1)!.raw).toMatch(/^To: other@xn--mller-kva\.de\r?$/m);
    expect(await sessionRows()).toEqual(expect.arrayContaining([{ address: 'mail@müller.de' }, { address: 'other@müller.de' }]));
  });

  it('counts either spelling as in use once the other is on an account', async () => {
    const added = await client.addWithUia(alice, 'alice', await client.validateEmail('in-use@ｅxample.org'));
    expect(added.status).toBe(200);
    expect(smtp.messages.at(-1)!.to).toEqual(['in-use@example.org']);
    expect(await client.list(alice)).toContainEqual(expect.objectContaining({ medium: 'email', address: 'in-use@example.org' }));

    const offered = smtp.recipients.length;
    for (const spelling of ['in-use@example.org', 'IN-USE@ＥＸＡＭＰＬＥ．ＯＲＧ', 'in-use@exam\u00ADple.org']) {
      const response = await requestEmail(spelling).expect(400);
      expect({ spelling, body: response.body }).toEqual({ spelling, body: { errcode: 'M_THREEPID_IN_USE', error: expect.any(String) } });
    }
    expect(smtp.recipients.length).toBe(offered);
  });

  it("matches THREEPID_ALLOWLIST against the canonical address, with the patterns' domains canonicalised too", async () => {
    await requestEmail('allowed@example.org').expect(200);
    await requestEmail('allowed@ｅｘａｍｐｌｅ.org').expect(200);
    await requestEmail('allowed@müller.de').expect(200);
    await requestEmail('allowed@sub.ｅxample.org').expect(200);
    const offered = smtp.recipients.length;
    // A look-alike is another domain (Cyrillic 'а'), and so is one that merely starts the same.
    for (const email of ['denied@exаmple.org', 'denied@example.org.evil.test', 'denied@mueller.de']) {
      const response = await requestEmail(email).expect(403);
      expect({ email, errcode: response.body.errcode }).toEqual({ email, errcode: 'M_THREEPID_DENIED' });
    }
    expect(smtp.recipients.length).toBe(offered);
  });

  it('logs in by m.id.thirdparty with either spelling', async () => {
    const bob = await t.login('bob');
    await client.addWithUia(bob, 'bob', await client.validateEmail('bob@example.org')).then((response) => expect(response.status).toBe(200));
    for (const address of ['bob@example.org', 'bob@ｅxample.org', 'BOB@EXAMPLE。ORG']) {
      const login = await client.login({ identifier: { type: 'm.id.thirdparty', medium: 'email', address } });
      expect({ address, status: login.status, user: login.body.user_id }).toEqual({ address, status: 200, user: '@bob:test.local' });
    }
  });

  it('deletes with either spelling', async () => {
    const carol = await t.login('carol');
    await client.addWithUia(carol, 'carol', await client.validateEmail('carol@müller.de')).then((response) => expect(response.status).toBe(200));
    await client.addWithUia(carol, 'carol', await client.validateEmail('carol@example.org')).then((response) => expect(response.status).toBe(200));

    await t.http().post(DELETE).auth(carol, { type: 'bearer' }).send({ medium: 'email', address: 'carol@ｅxample.org' }).expect(200);
    await t.http().post(DELETE).auth(carol, { type: 'bearer' }).send({ medium: 'email', address: 'Carol@xn--mller-kva.DE' }).expect(200);
    expect(await client.list(carol)).toEqual([]);
  });

  it('stores an address with a capital sharp s (U+1E9E) in a form that matches itself: it logs in by any spelling, and is deleted as listed', async () => {
    const dave = await t.login('dave');
    await client.addWithUia(dave, 'dave', await client.validateEmail('groẞ@example.org')).then((response) => expect(response.status).toBe(200));
    const stored = (await client.list(dave)).map((threePid: { address: string }) => threePid.address);
    const logins: Record<string, number> = {};
    for (const address of ['groẞ@example.org', 'groß@example.org', 'GROSS@example.org']) {
      logins[address] = (await client.login({ identifier: { type: 'm.id.thirdparty', medium: 'email', address } })).status;
    }
    // As a client does: the address as the list gives it.
    const deleted = await t.http().post(DELETE).auth(dave, { type: 'bearer' }).send({ medium: 'email', address: stored[0] });
    expect({ stored, logins, deleted: deleted.body, left: await client.list(dave) }).toEqual({
      stored: ['gross@example.org'],
      logins: { 'groẞ@example.org': 200, 'groß@example.org': 200, 'GROSS@example.org': 200 },
      deleted: { id_server_unbind_result: 'no-support' },
      left: [],
    });
  });

  it.each([
    ['a single label', 'root@localhost', 'more than one label'],
    ['a single label, spelt in fullwidth', 'root@ＬＯＣＡＬＨＯＳＴ', 'more than one label'],
    ['an IP address', 'postmaster@127.0.0.1', 'not an IP address'],
    ['an IP literal', 'postmaster@[127.0.0.1]', 'not an IP address'],
  ])('refuses a domain a public mail system cannot route (%s) with M_INVALID_PARAM, before anything is stored or sent', async (_case, email, saying) => {
    const [offered, sessions] = [smtp.recipients.length, (await sessionRows()).length];
    const response = await requestEmail(email);
    expect({ status: response.status, body: response.body }).toEqual({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM', error: expect.stringContaining(saying) },
    });
    expect(smtp.recipients.length).toBe(offered);
    expect((await sessionRows()).length).toBe(sessions);
  });

  describe('RFC 5321 lengths: refused with M_INVALID_PARAM before anything is stored or sent', () => {
    const local64 = 'l'.repeat(64);
    const label63 = 'd'.repeat(63);
    /** 64 + 1 + 190 = 255 octets: one more than an address may have. */
    const tooLong = `${local64}@${label63}.${label63}.${'d'.repeat(50)}.example.org`;
    /** 235 characters, but 255 octets once its first label is an A-label of 35. */
    const cjk = Array.from({ length: 15 }, (_, i) => String.fromCodePoint(0x4e00 + i * 37)).join('');
    const tooLongOnTheWire = `${local64}@${cjk}.${label63}.${label63}.${'d'.repeat(22)}.org`;

    it('takes the lengths the tests below rely on', () => {
      expect(Buffer.byteLength(tooLong)).toBe(255);
      expect(tooLongOnTheWire).toHaveLength(235);
      expect(local64.length + 1 + domainToASCII(tooLongOnTheWire.split('@')[1]).length).toBe(255);
    });

    it.each([
      ['a local part of 65 octets', `${'l'.repeat(65)}@example.org`],
      ['a local part of 33 two-octet letters', `${'é'.repeat(33)}@example.org`],
      ['an address of 255 octets', tooLong],
      ['an address of 255 octets once its domain is in ASCII', tooLongOnTheWire],
      ['a domain label of 64 octets', `a@${'d'.repeat(64)}.example.org`],
    ])('at requestToken: %s', async (_case, email) => {
      const [offered, sessions] = [smtp.recipients.length, (await sessionRows()).length];
      const response = await requestEmail(email).expect(400);
      expect(response.body).toEqual({ errcode: 'M_INVALID_PARAM', error: expect.any(String) });
      expect(smtp.recipients.length).toBe(offered);
      expect((await sessionRows()).length).toBe(sessions);
    });

    it('sends to a long address that is within the limits', async () => {
      // 253 octets: the sink (smtp-server) refuses 254, one less than RFC 5321 allows and this server accepts.
      const long = tooLong.replace(`.${'d'.repeat(50)}.`, `.${'d'.repeat(48)}.`);
      await requestEmail(long).expect(200);
      expect(smtp.messages.at(-1)!.to).toEqual([long]);
    });

    it.each([[DELETE], [UNBIND]])('at %s', async (path) => {
      const response = await t.http().post(path).auth(alice, { type: 'bearer' }).send({ medium: 'email', address: tooLong }).expect(400);
      expect(response.body).toEqual({ errcode: 'M_INVALID_PARAM', error: expect.any(String) });
    });

    it('at login, where such an address names nobody', async () => {
      const response = await t
        .http()
        .post(LOGIN)
        .send({ type: 'm.login.password', identifier: { type: 'm.id.thirdparty', medium: 'email', address: tooLong }, password: TEST_PASSWORD })
        .expect(403);
      expect(response.body.errcode).toBe('M_FORBIDDEN');
    });
  });
});
