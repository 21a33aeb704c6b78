import { DataSource } from 'typeorm';
import { sha256Hex } from '../../src/common/sha256';
import { ADD, EMAIL_REQUEST, LOGIN, MSISDN_REQUEST, MSISDN_SUBMIT, THREEPIDS } from '../support/client';
import { DATABASE_KINDS } from '../support/databases';
import { snapshotDatabase } from '../support/database-snapshot';
import { FakeIdentityServer } from '../support/fake-identity-server';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

const BIND = '/_matrix/client/v3/account/3pid/bind';
const UNBIND = '/_matrix/client/v3/account/3pid/unbind';
const WHOAMI = '/_matrix/client/v3/account/whoami';

const PASSWORD = 'Known password: never in a log 4f9c2e';
const CLIENT_SECRET = 'known_client_secret.4b7d1e9a';
const ID_ACCESS_TOKEN = 'known-id-access-token-8c2f5a7b';

/**
 * A whole flow with secrets whose values the test knows, on both databases, the logs at their most
 * talkative: none of those values may appear in any log line or, in clear, in any column of any table.
 */
describe.each(DATABASE_KINDS)('secrets stay secret [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  let idServer: FakeIdentityServer;
  /** Every secret the flow used, by name; filled in as the flow learns them. */
  const secrets: Record<string, string> = { password: PASSWORD, client_secret: CLIENT_SECRET, id_access_token: ID_ACCESS_TOKEN };
  /** The link of the validation e-mail, which carries the token and the client_secret. */
  let emailLink: URL;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    idServer = await FakeIdentityServer.start();
    idServer.accessToken = ID_ACCESS_TOKEN;
    t = await startTestApp(kind, {
      LOG_LEVEL: 'trace',
      SMTP_URL: smtp.url,
      SMS_WEBHOOK_URL: sms.url,
      ID_SERVER_SCHEME: 'http',
      ID_SERVER_ALLOWLIST: idServer.address,
    });
    // The identity server checks our unbind signature against our published key, over HTTP.
    await t.app.listen(0, '127.0.0.1');
    idServer.homeserverBaseUrl = await t.app.getUrl();
    await runTheWholeFlow();
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
    await idServer.stop();
  });

  async function runTheWholeFlow(): Promise<void> {
    await t.createUser('alice', PASSWORD);
    const login = (identifier: object) => t.http().post(LOGIN).send({ type: 'm.login.password', identifier, password: PASSWORD }).expect(200);
    const accessToken: string = (await login({ type: 'm.id.user', user: 'alice' })).body.access_token;
    secrets.access_token = accessToken;
    const authed = (path: string, body: object) => t.http().post(path).auth(accessToken, { type: 'bearer' }).send(body);
    const addWithUia = async (sid: string) => {
      const { session } = (await authed(ADD, { sid, client_secret: CLIENT_SECRET }).expect(401)).body;
      const auth = { type: 'm.login.password', session, identifier: { type: 'm.id.user', user: 'alice' }, password: PASSWORD };
      await authed(ADD, { sid, client_secret: CLIENT_SECRET, auth }).expect(200);
    };

    // An e-mail address, validated through the link as a browser does: the secrets travel in its URL.
    const { sid: emailSid } = (await t.http().post(EMAIL_REQUEST).send({ client_secret: CLIENT_SECRET, email: 'alice@example.org', send_attempt: 1 }).expect(200)).body;
    emailLink = smtp.lastLink();
    secrets.email_token = emailLink.searchParams.get('token')!;
    await t.http().get(emailLink.pathname + emailLink.search).expect(200);
    await t.http().post(emailLink.pathname + emailLink.search).type('form').send('').expect(200);
    await addWithUia(emailSid);

    // A phone number, with the code from the SMS.
    const phone = (await t.http().post(MSISDN_REQUEST).send({ client_secret: CLIENT_SECRET, country: 'GB', phone_number: '07700900123', send_attempt: 1 }).expect(200)).body;
    secrets.sms_code = sms.lastCode();
    await t.http().post(MSISDN_SUBMIT).send({ sid: phone.sid, client_secret: CLIENT_SECRET, token: secrets.sms_code }).expect(200);
    await addWithUia(phone.sid);

    // Bound and unbound at an identity server, with its access token.
    idServer.addSession({ sid: 'is-session', clientSecret: CLIENT_SECRET, medium: 'email', address: 'alice@example.org' });
    await authed(BIND, { sid: 'is-session', client_secret: CLIENT_SECRET, id_server: idServer.address, id_access_token: ID_ACCESS_TOKEN }).expect(200);
    expect((await authed(UNBIND, { medium: 'email', address: 'alice@example.org' }).expect(200)).body).toEqual({ id_server_unbind_result: 'success' });

    // Logged in again, by address, and the new token used in the query string.
    const again: string = (await login({ type: 'm.id.thirdparty', medium: 'email', address: 'alice@example.org' })).body.access_token;
    secrets.second_access_token = again;
    await t.http().get(WHOAMI).query({ access_token: again }).expect(200);
    await t.http().get(THREEPIDS).auth(again, { type: 'bearer' }).expect(200);
  }

  /** Whether `text` holds the secret; a six-digit code only as a number of its own, not inside a longer one (a timestamp). */
  const holds = (text: string, secret: string) => (/^\d{6}$/.test(secret) ? new RegExp(`(?<!\\d)${secret}(?!\\d)`).test(text) : text.includes(secret));

  it('ran the flow with every secret known', () => {
    expect(Object.keys(secrets).sort()).toEqual(['access_token', 'client_secret', 'email_token', 'id_access_token', 'password', 'second_access_token', 'sms_code'].sort());
    for (const value of Object.values(secrets)) expect(value.length).toBeGreaterThanOrEqual(6);
  });

  it('writes none of them to the log, at trace level, where the requests that carried them are logged', () => {
    const lines = t.logs.map((line) => JSON.parse(line) as { msg?: string; url?: string });
    const urls = lines.filter((line) => line.msg === 'request completed').map((line) => line.url);
    const redactedLink = `${emailLink.pathname}?token=<redacted>&client_secret=<redacted>&sid=${emailLink.searchParams.get('sid')}`;
    expect(urls).toEqual(expect.arrayContaining([redactedLink, `${WHOAMI}?access_token=<redacted>`]));
    const leaks = Object.entries(secrets).flatMap(([name, secret]) => t.logs.filter((line) => holds(line, secret)).map((line) => ({ name, line })));
    expect(leaks).toEqual([]);
  });

  it('stores none of them in clear in any column of any table, only their digests where one is kept', async () => {
    const dataSource = t.app.get(DataSource);
    const snapshot = await snapshotDatabase(dataSource);
    const cells = Object.entries(snapshot).flatMap(([table, rows]) =>
      rows.flatMap((row) => Object.entries(JSON.parse(row) as Record<string, unknown>).map(([column, value]) => ({ table, column, value: String(value) }))),
    );
    expect(cells.length).toBeGreaterThan(20);
    const leaks = Object.entries(secrets).flatMap(([name, secret]) => cells.filter((cell) => holds(cell.value, secret)).map((cell) => ({ name, ...cell })));
    expect(leaks).toEqual([]);

    // What is kept is kept as a digest: the test looks where the secrets would be.
    const values = cells.map((cell) => cell.value);
    expect(values).toEqual(expect.arrayContaining([sha256Hex(secrets.second_access_token), sha256Hex(CLIENT_SECRET)]));
    expect(cells.find((cell) => cell.table === 'users' && cell.column === 'password_hash')?.value).toMatch(/^\$argon2id\$/);
  });
});
