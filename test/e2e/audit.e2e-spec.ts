import { createHmac } from 'node:crypto';
import { clientOf, passwordAuth } from '../support/client';
import { DATABASE_KINDS } from '../support/databases';
import { FakeIdentityServer } from '../support/fake-identity-server';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

const BIND = '/_matrix/client/v3/account/3pid/bind';
const UNBIND = '/_matrix/client/v3/account/3pid/unbind';
const SALT = 'a salt for the audit trail only';

/** The audit trail of a whole flow, as an operator reads it in the log: one line per change. */
describe.each(DATABASE_KINDS)('audit trail [%s]', (kind) => {
  let idServer: FakeIdentityServer;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  let sessions = 0;

  beforeAll(async () => {
    idServer = await FakeIdentityServer.start();
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
  });
  afterAll(async () => {
    await idServer.stop();
    await smtp.stop();
    await sms.stop();
  });

  const start = async (env: Record<string, string> = {}) => {
    const t = await startTestApp(kind, {
      ID_SERVER_SCHEME: 'http',
      ID_SERVER_ALLOWLIST: idServer.address,
      SMTP_URL: smtp.url,
      SMS_WEBHOOK_URL: sms.url,
      INSTANCE_NAME: 'hs-instance-2',
      ...env,
    });
    await t.app.listen(0, '127.0.0.1');
    idServer.homeserverBaseUrl = await t.app.getUrl();
    return t;
  };

  /**
   * Adds an e-mail address (with a wrong password first, and an address in use: no change, no
   * line), binds it, unbinds it, binds it again and deletes it: the audit lines of that, in order.
   */
  const flow = async (t: TestApp, address: string) => {
    const client = clientOf(
      () => t,
      () => smtp,
      () => sms,
    );
    const carol = await t.login('carol');
    const dave = await t.login('dave');
    const session = await client.validateEmail(address);
    const challenge = await client.add(carol, session).expect(401);
    await client.add(carol, { ...session, auth: passwordAuth('carol', { session: challenge.body.session, password: 'wrong' }) }).expect(401);
    await client.add(carol, { ...session, auth: passwordAuth('carol', { session: challenge.body.session }) }).expect(200);
    expect((await client.addWithUia(dave, 'dave', await client.validateEmail(`other-${address}`))).status).toBe(200);
    const bind = async () => {
      const sid = `audit-${++sessions}`;
      idServer.addSession({ sid, clientSecret: 'secret', medium: 'email', address });
      await t.http().post(BIND).auth(carol, { type: 'bearer' }).send({ sid, client_secret: 'secret', id_server: idServer.address, id_access_token: idServer.accessToken }).expect(200);
    };
    await bind();
    await t.http().post(UNBIND).auth(carol, { type: 'bearer' }).send({ medium: 'email', address }).expect(200);
    await bind();
    expect((await client.remove(carol, { medium: 'email', address: address.toUpperCase() }).expect(200)).body).toEqual({ id_server_unbind_result: 'success' });
    return t.logs.map((line) => JSON.parse(line)).filter((line) => 'audit' in line);
  };

  it('writes one line per change at info under the audit key: time, actor, user, medium, address, instance, outcome', async () => {
    const t = await start();
    try {
      const before = Date.now();
      const lines = await flow(t, 'carol.audit@example.org');
      const carol = { actor: '@carol:test.local', user_id: '@carol:test.local', medium: 'email', address: 'carol.audit@example.org', instance: 'hs-instance-2', outcome: 'success' };
      expect(lines.map((line) => line.audit)).toEqual([
        { action: 'threepid.added', time: expect.any(String), ...carol },
        { action: 'threepid.added', time: expect.any(String), ...carol, actor: '@dave:test.local', user_id: '@dave:test.local', address: 'other-carol.audit@example.org' },
        { action: 'threepid.bound', time: expect.any(String), ...carol, id_server: idServer.address },
        { action: 'threepid.unbound', time: expect.any(String), ...carol, id_server: idServer.address },
        { action: 'threepid.bound', time: expect.any(String), ...carol, id_server: idServer.address },
        { action: 'threepid.unbound', time: expect.any(String), ...carol, id_server: idServer.address },
        { action: 'threepid.removed', time: expect.any(String), ...carol },
      ]);
      for (const line of lines) {
        expect(line).toMatchObject({ level: 30, context: 'Audit', msg: expect.stringMatching(/^3PID (added|removed|bound|unbound)/) });
        expect(Date.parse(line.audit.time)).toBeGreaterThanOrEqual(before - 1);
        expect(Date.parse(line.audit.time)).toBeLessThanOrEqual(Date.now());
      }
    } finally {
      await t.close();
    }
  });

  it('logs a salted hash instead of the address with AUDIT_ADDRESSES=hash, and the address in no line of the log', async () => {
    const t = await start({ AUDIT_ADDRESSES: 'hash', AUDIT_SALT: SALT });
    try {
      const lines = await flow(t, 'carol.hidden@example.org');
      const hash = createHmac('sha256', SALT).update('email:carol.hidden@example.org').digest('hex');
      expect(lines.map((line) => [line.audit.action, line.audit.address_hash])).toEqual([
        ['threepid.added', hash],
        ['threepid.added', createHmac('sha256', SALT).update('email:other-carol.hidden@example.org').digest('hex')],
        ['threepid.bound', hash],
        ['threepid.unbound', hash],
        ['threepid.bound', hash],
        ['threepid.unbound', hash],
        ['threepid.removed', hash],
      ]);
      for (const line of lines) expect(line.audit).not.toHaveProperty('address');
      // Nor in any other line: the deployment keeps addresses out of its logs.
      expect(t.logs.filter((line) => /carol\.hidden/i.test(line))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('keeps the audit trail when LOG_LEVEL=warn quiets everything else at info', async () => {
    const t = await start({ LOG_LEVEL: 'warn' });
    try {
      const lines = await flow(t, 'carol.quiet@example.org');
      expect(lines.map((line) => line.audit.action)).toEqual([
        'threepid.added',
        'threepid.added',
        'threepid.bound',
        'threepid.unbound',
        'threepid.bound',
        'threepid.unbound',
        'threepid.removed',
      ]);
      expect(t.logs.map((line) => JSON.parse(line)).filter((line) => line.level < 40 && !('audit' in line))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('stops start-up when AUDIT_ADDRESSES=hash has no salt long enough, without echoing it', async () => {
    await expect(start({ AUDIT_ADDRESSES: 'hash', AUDIT_SALT: 'short-secret' })).rejects.toThrow(
      /AUDIT_SALT must be set, at least 16 characters, when AUDIT_ADDRESSES=hash/,
    );
    await expect(start({ AUDIT_ADDRESSES: 'hash', AUDIT_SALT: 'short-secret' })).rejects.not.toThrow(/short-secret/);
  });
});
