import { DataSource } from 'typeorm';
import { DATABASE_KINDS } from '../support/databases';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const VERSIONS = '/_matrix/client/versions';
const LOGIN = '/_matrix/client/v3/login';
const THREEPIDS = '/_matrix/client/v3/account/3pid';
const WHOAMI = '/_matrix/client/v3/account/whoami';
const EMAIL_REQUEST = '/_matrix/client/v3/account/3pid/email/requestToken';
const MSISDN_REQUEST = '/_matrix/client/v3/account/3pid/msisdn/requestToken';
const WINDOW_MS = 60_000;

type Answer = { status: number; body: Record<string, unknown>; headers: Record<string, string> };

/** The 429 every limit answers, as the spec's rate_limited schema and the Retry-After header have it. */
function expectLimited(response: Answer): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 429,
    body: { errcode: 'M_LIMIT_EXCEEDED', error: expect.any(String), retry_after_ms: expect.any(Number) },
  });
  const retryAfterMs = response.body.retry_after_ms as number;
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
  expect(response.headers['retry-after']).toBe(String(Math.ceil(retryAfterMs / 1000)));
}

let clientCount = 0;
/** A client IP of its own for each scenario, believed because 127.0.0.1 is a trusted proxy. */
const newClient = () => `203.0.113.${++clientCount}`;

describe.each(DATABASE_KINDS)('rate limits [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  const from = (client: string) => ({
    get: (path: string) => t.http().get(path).set('X-Forwarded-For', client),
    post: (path: string, body: object = {}) => t.http().post(path).set('X-Forwarded-For', client).send(body),
  });
  const loginFrom = async (client: string, user: string) => {
    const response = await from(client).post(LOGIN, { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    return response.body.access_token as string;
  };
  const rowsOf = async (table: string) => Number((await t.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    t = await startTestApp(kind, {
      RATE_LIMIT_DEFAULT: `3/${WINDOW_MS / 1000}s`,
      RATE_LIMIT_REQUEST_TOKEN: `2/${WINDOW_MS / 1000}s`,
      TRUSTED_PROXIES: '127.0.0.1',
      SMTP_URL: smtp.url,
      SMS_WEBHOOK_URL: sms.url,
    });
    for (const user of ['alice', 'bob']) await t.createUser(user, TEST_PASSWORD);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
  });

  describe('RATE_LIMIT_DEFAULT', () => {
    it('limits unauthenticated endpoints per client IP, across endpoints: the fourth request gets 429 with retry_after_ms and Retry-After', async () => {
      const client = from(newClient());
      await client.get(VERSIONS).expect(200);
      await client.get(LOGIN).expect(200);
      await client.get(VERSIONS).expect(200);
      expectLimited(await client.get(VERSIONS));
      expectLimited(await client.post(LOGIN, { type: 'm.login.password', user: 'alice', password: TEST_PASSWORD }));
      // Another client is not affected.
      await from(newClient()).get(VERSIONS).expect(200);
    });

    it('limits authenticated endpoints per user, whatever their IP: another user behind the same IP is not affected', async () => {
      const office = newClient();
      const [alice, bob] = [await loginFrom(newClient(), 'alice'), await loginFrom(newClient(), 'bob')];
      for (let i = 0; i < 3; i++) await from(office).get(THREEPIDS).auth(alice, { type: 'bearer' }).expect(200);
      expectLimited(await from(office).get(WHOAMI).auth(alice, { type: 'bearer' }));
      expectLimited(await from(newClient()).get(THREEPIDS).auth(alice, { type: 'bearer' }));
      await from(office).get(THREEPIDS).auth(bob, { type: 'bearer' }).expect(200);
      await from(office).get(VERSIONS).expect(200); // the office's own (IP) count is separate
    });

    it('counts a request with an unknown token by its IP, and still answers it 401', async () => {
      const client = newClient();
      for (let i = 0; i < 3; i++) await from(client).get(THREEPIDS).auth('m3p_not_a_token', { type: 'bearer' }).expect(401);
      expectLimited(await from(client).get(THREEPIDS).auth('m3p_not_a_token', { type: 'bearer' }));
    });

    it('never limits OPTIONS or /health', async () => {
      const client = newClient();
      for (let i = 0; i < 3; i++) await from(client).get(VERSIONS).expect(200);
      expectLimited(await from(client).get(VERSIONS));
      for (let i = 0; i < 5; i++) {
        await t.http().options(VERSIONS).set('X-Forwarded-For', client).expect(204);
        await t.http().get('/health').set('X-Forwarded-For', client).expect(200);
      }
    });
  });

  describe('the client IP', () => {
    it('is the address the trusted proxy saw, not what the client wrote before it in X-Forwarded-For', async () => {
      const client = newClient();
      for (const spoofed of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        await t.http().get(VERSIONS).set('X-Forwarded-For', `${spoofed}, ${client}`).expect(200);
      }
      expectLimited(await t.http().get(VERSIONS).set('X-Forwarded-For', `198.51.100.4, ${client}`));
    });

    it('is the socket peer when TRUSTED_PROXIES is unset: X-Forwarded-For is ignored', async () => {
      const direct = await startTestApp(kind, { RATE_LIMIT_DEFAULT: '2/60s' });
      try {
        await direct.http().get(VERSIONS).set('X-Forwarded-For', '198.51.100.10').expect(200);
        await direct.http().get(VERSIONS).set('X-Forwarded-For', '198.51.100.11').expect(200);
        expectLimited(await direct.http().get(VERSIONS).set('X-Forwarded-For', '198.51.100.12'));
      } finally {
        await direct.close();
      }
    });
  });

  describe('RATE_LIMIT_REQUEST_TOKEN', () => {
    const emailRequest = (email: string, sendAttempt = 1) => ({ client_secret: 'limit_secret', email, send_attempt: sendAttempt });

    it('counts per address: a third request for one address gets 429 from any client, before anything is stored or sent', async () => {
      await from(newClient()).post(EMAIL_REQUEST, emailRequest('target@example.org')).expect(200);
      await from(newClient()).post(EMAIL_REQUEST, emailRequest('Target@EXAMPLE.org', 2)).expect(200);
      const [sent, sessions] = [smtp.messages.length, await rowsOf('threepid_validation_sessions')];
      expectLimited(await from(newClient()).post(EMAIL_REQUEST, emailRequest(' TARGET@example.org', 3)));
      expect(smtp.messages).toHaveLength(sent);
      expect(await rowsOf('threepid_validation_sessions')).toBe(sessions);
    });

    it('counts per client IP, for e-mail and phone numbers together', async () => {
      const client = newClient();
      await from(client).post(EMAIL_REQUEST, emailRequest('one@example.org')).expect(200);
      await from(client).post(MSISDN_REQUEST, { client_secret: 'limit_secret', country: 'GB', phone_number: '07700900301', send_attempt: 1 }).expect(200);
      const sent = sms.messages.length;
      expectLimited(await from(client).post(MSISDN_REQUEST, { client_secret: 'limit_secret', country: 'GB', phone_number: '07700900302', send_attempt: 1 }));
      expect(sms.messages).toHaveLength(sent);
    });

    it('counts a request for an address already on an account like any other, so that the 429 tells nothing', async () => {
      await t.app
        .get(DataSource)
        .query('INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES (?, ?, ?, ?, ?)', [
          'email',
          'taken@example.org',
          '@alice:test.local',
          1,
          1,
        ]);
      for (let i = 0; i < 2; i++) {
        const response = await from(newClient()).post(EMAIL_REQUEST, emailRequest('taken@example.org', i + 1));
        expect(response.body.errcode).toBe('M_THREEPID_IN_USE');
      }
      expectLimited(await from(newClient()).post(EMAIL_REQUEST, emailRequest('taken@example.org', 3)));
    });
  });
});
