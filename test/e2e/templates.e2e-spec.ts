import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMAIL_REQUEST, MSISDN_REQUEST } from '../support/client';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

describe("an operator's own validation messages (TEMPLATE_DIR)", () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'm3pid-templates-'));
    writeFileSync(join(dir, 'email-subject.txt'), 'Bitte bestaetigen: {{address}}\n');
    writeFileSync(join(dir, 'email.txt'), 'Hallo! {{server_name}} möchte {{address}} bestätigen: {{link}} ({{valid_for}})\n');
    writeFileSync(join(dir, 'email.html'), '<p>{{server_name}}: <a href="{{link}}">bestätigen</a></p>\n');
    writeFileSync(join(dir, 'sms.txt'), 'Code {{code}} für {{server_name}}\n');
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    t = await startTestApp('sqlite', { TEMPLATE_DIR: dir, SMTP_URL: smtp.url, SMS_WEBHOOK_URL: sms.url, SERVER_NAME: 'example.org' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the e-mail written from its templates, the link escaped in the HTML only', async () => {
    const { sid } = (await t.http().post(EMAIL_REQUEST).send({ client_secret: 'tmpl', email: 'Anna@Example.org', send_attempt: 1 }).expect(200)).body;
    const mail = smtp.messages.at(-1)!;
    const link = smtp.lastLink();
    expect(link.searchParams.get('sid')).toBe(sid);
    expect(mail.subject).toBe('Bitte bestaetigen: anna@example.org');
    // A MIME part ends in line breaks of the transport's own.
    expect(mail.text.trimEnd()).toBe(`Hallo! example.org möchte anna@example.org bestätigen: ${link.href} (1 hour)`);
    expect(mail.html.trimEnd()).toBe(`<p>example.org: <a href="${link.href.replace(/&/g, '&#38;')}">bestätigen</a></p>`);
  });

  it('sends the SMS written from its template', async () => {
    await t.http().post(MSISDN_REQUEST).send({ client_secret: 'tmpl', country: 'GB', phone_number: '07700900555', send_attempt: 1 }).expect(200);
    expect(sms.messages.at(-1)).toMatchObject({ to: '447700900555', body: `Code ${sms.lastCode()} für example.org` });
  });
});
