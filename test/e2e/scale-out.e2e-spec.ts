import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:net';
import { ADD, EMAIL_REQUEST, passwordAuth, THREEPIDS } from '../support/client';
import { DATABASE_KINDS, TEST_REDIS_URL } from '../support/databases';
import { SmtpSink } from '../support/smtp-sink';
import { TcpProxy } from '../support/tcp-proxy';
import { startAnotherInstance, startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const VERSIONS = '/_matrix/client/versions';

/** Each test's own keys in the shared Redis, so that test files running at once never meet. */
const redisEnv = () => ({ REDIS_URL: TEST_REDIS_URL!, REDIS_KEY_PREFIX: `m3p-test-${randomBytes(6).toString('hex')}:` });

describe.each(DATABASE_KINDS)('several instances behind a load balancer [%s]', (kind) => {
  // One MariaDB and one Redis shared by two instances: the deployment this is about.
  if (kind !== 'mysql' || !TEST_REDIS_URL) return;

  let a: TestApp;
  let b: TestApp;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await SmtpSink.start();
    const shared = { ...redisEnv(), SMTP_URL: smtp.url, RATE_LIMIT_REQUEST_TOKEN: '4/600s', TRUSTED_PROXIES: '127.0.0.1' };
    a = await startTestApp(kind, shared);
    b = await startAnotherInstance(a, shared);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await smtp.stop();
  });

  it('finish on one what the other began: requestToken on A, submit on B, UIA begun on A and completed on B, list on A', async () => {
    const token = await a.login('grace');
    const { sid } = (await a.http().post(EMAIL_REQUEST).send({ client_secret: 'spread_out', email: 'grace@example.org', send_attempt: 1 }).expect(200)).body;
    const link = smtp.lastLink();
    await b.http().get(link.pathname + link.search).expect(200);
    await b.http().post(link.pathname + link.search).type('form').send('').expect(200);

    const credentials = { sid, client_secret: 'spread_out' };
    const { session } = (await a.http().post(ADD).auth(token, { type: 'bearer' }).send(credentials).expect(401)).body;
    await b.http().post(ADD).auth(token, { type: 'bearer' }).send({ ...credentials, auth: passwordAuth('grace', { session }) }).expect(200);

    const listed = await a.http().get(THREEPIDS).auth(token, { type: 'bearer' }).expect(200);
    expect(listed.body.threepids).toEqual([expect.objectContaining({ medium: 'email', address: 'grace@example.org' })]);
  });

  it('share one requestToken count: some on A, the rest on B, and the next one is 429 on either', async () => {
    const request = (instance: TestApp, client: string, attempt: number) =>
      instance
        .http()
        .post(EMAIL_REQUEST)
        .set('X-Forwarded-For', client)
        .send({ client_secret: 'shared_count', email: 'bombed@example.org', send_attempt: attempt });
    await request(a, '198.51.100.1', 1).expect(200);
    await request(a, '198.51.100.2', 2).expect(200);
    await request(b, '198.51.100.3', 3).expect(200);
    await request(b, '198.51.100.4', 4).expect(200);
    const sent = smtp.messages.length;
    for (const [instance, client] of [
      [a, '198.51.100.5'],
      [b, '198.51.100.6'],
    ] as const) {
      const refused = await request(instance, client, 5);
      expect({ status: refused.status, errcode: refused.body.errcode }).toEqual({ status: 429, errcode: 'M_LIMIT_EXCEEDED' });
    }
    expect(smtp.messages).toHaveLength(sent);
  });

  it('report Redis as up on /health', async () => {
    for (const instance of [a, b]) {
      expect((await instance.http().get('/health').expect(200)).body.info.redis).toEqual({ status: 'up' });
    }
  });
});

describe.each(DATABASE_KINDS)('rate limits when Redis does not answer [%s]', (kind) => {
  let closedPort: number;
  beforeAll(async () => {
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('still serves and still limits, per instance, says so once in the log, and shows Redis as degraded on /health', async () => {
    const t = await startTestApp(kind, { REDIS_URL: `redis://127.0.0.1:${closedPort}`, RATE_LIMIT_DEFAULT: '3/60s' });
    try {
      for (let i = 0; i < 3; i++) await t.http().get(VERSIONS).expect(200);
      const refused = await t.http().get(VERSIONS);
      expect({ status: refused.status, errcode: refused.body.errcode }).toEqual({ status: 429, errcode: 'M_LIMIT_EXCEEDED' });
      const health = await t.http().get('/health').expect(200);
      expect(health.body.status).toBe('ok');
      expect(health.body.info.redis).toEqual({ status: 'degraded', message: expect.stringContaining('Redis does not answer') });
      const outages = t.logs.filter((line) => line.includes('Redis does not answer'));
      expect(outages).toHaveLength(1);
      expect(JSON.parse(outages[0]).level).toBe(40); // warn
    } finally {
      await t.close();
    }
  });

  it('logs in with a password as usual meanwhile', async () => {
    const t = await startTestApp(kind, { REDIS_URL: `redis://127.0.0.1:${closedPort}` });
    try {
      await t.createUser('henry', TEST_PASSWORD);
      await t.login('henry');
    } finally {
      await t.close();
    }
  });
});

describe('rate limits in Redis', () => {
  if (!TEST_REDIS_URL) return;

  it('hold across instances that share only Redis', async () => {
    const env = { ...redisEnv(), RATE_LIMIT_DEFAULT: '4/60s' };
    const a = await startTestApp('sqlite', env);
    const b = await startTestApp('sqlite', env);
    try {
      for (const instance of [a, b, a, b]) await instance.http().get(VERSIONS).expect(200);
      for (const instance of [a, b]) expect((await instance.http().get(VERSIONS)).status).toBe(429);
    } finally {
      await b.close();
      await a.close();
    }
  });
});


describe('rate limits through a Redis that fails and comes back', () => {
  if (!TEST_REDIS_URL) return;

  let proxy: TcpProxy;
  let t: TestApp;
  const redisStatus = async () => (await t.http().get('/health').expect(200)).body.info.redis;
  const logged = (text: string) => t.logs.filter((line) => line.includes(text)).length;
  /** Until the instance's probe (once a second) has seen Redis answer again. */
  const untilShared = async () => {
    for (let i = 0; i < 100 && (await redisStatus()).status !== 'up'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  };

  beforeEach(async () => {
    proxy = await TcpProxy.forUrl(TEST_REDIS_URL!, 6379);
    t = await startTestApp('sqlite', { ...redisEnv(), REDIS_URL: proxy.url(TEST_REDIS_URL!), REDIS_TIMEOUT: '300ms', RATE_LIMIT_DEFAULT: '1000/60s' });
    await t.http().get(VERSIONS).expect(200);
    expect(await redisStatus()).toEqual({ status: 'up' });
  });
  afterEach(async () => {
    await t.close();
    await proxy.close();
  });

  it.each([
    ['cut (Redis down)', () => proxy.cut()],
    ['black-holed (a network partition: connections open, nothing answers)', () => proxy.blackHole()],
  ])('keeps serving and limiting when Redis is %s, logs the outage once, and shares the counts again once Redis answers', async (_case, fail) => {
    fail();
    for (let i = 0; i < 5; i++) await t.http().get(VERSIONS).expect(200);
    expect(await redisStatus()).toEqual({ status: 'degraded', message: expect.any(String) });
    expect(logged('Redis does not answer')).toBe(1);

    proxy.restore();
    await untilShared();
    expect(await redisStatus()).toEqual({ status: 'up' });
    expect(logged('Redis answers again')).toBe(1);
    await t.http().get(VERSIONS).expect(200);
  });

  it('still limits while Redis does not answer: by this instance\'s own count', async () => {
    await t.close();
    t = await startTestApp('sqlite', { ...redisEnv(), REDIS_URL: proxy.url(TEST_REDIS_URL!), REDIS_TIMEOUT: '300ms', RATE_LIMIT_DEFAULT: '3/60s' });
    proxy.blackHole();
    for (let i = 0; i < 3; i++) await t.http().get(VERSIONS).expect(200);
    expect((await t.http().get(VERSIONS)).status).toBe(429);
  });
});
