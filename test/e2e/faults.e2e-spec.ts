import { once } from 'node:events';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { clientOf, EMAIL_REQUEST, LOGIN, THREEPIDS } from '../support/client';
import { DATABASE_KINDS } from '../support/databases';
import { SmtpSink } from '../support/smtp-sink';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const UNAVAILABLE = { errcode: 'M_UNKNOWN', error: 'The database is unavailable. Please try again later' };

describe(TcpProxy.name, () => {
  /** An upstream that echoes what it receives, and keeps it. */
  let echo: Server;
  let received = '';
  let accepted = 0;
  let proxy: TcpProxy;
  const dial = async () => {
    const socket = connect(proxy.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    return socket;
  };
  const closed = (socket: Socket) => new Promise((resolve) => socket.once('close', resolve));
  const roundTrip = async (socket: Socket, text: string) => {
    socket.write(text);
    const [answer] = await once(socket, 'data');
    return String(answer);
  };

  beforeAll(async () => {
    echo = createServer((socket) => {
      accepted++;
      socket.on('data', (data) => {
        received += data;
        socket.write(data);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
  });
  afterEach(() => proxy.restore());
  afterAll(async () => {
    await proxy.close();
    echo.close();
  });

  it('forwards, cuts old and new connections, and forwards new ones again once restored', async () => {
    const before = await dial();
    expect(await roundTrip(before, 'ping')).toBe('ping');

    proxy.cut();
    await closed(before);
    const during = connect(proxy.port, '127.0.0.1');
    const [refused] = await once(during, 'error');
    expect(refused).toMatchObject({ code: 'ECONNRESET' });

    proxy.restore();
    const after = await dial();
    expect(await roundTrip(after, 'pong')).toBe('pong');
    after.destroy();
  });

  it('black-holes old and new connections, keeping them open, and forwards new ones once restored', async () => {
    const old = await dial();
    expect(await roundTrip(old, 'first')).toBe('first');
    const acceptedBefore = accepted;

    proxy.blackHole();
    old.write('lost');
    const during = await dial(); // accepted, and then nothing
    during.write('also lost');

    proxy.restore();
    const after = await dial();
    expect(await roundTrip(after, 'second')).toBe('second');
    expect(received).not.toMatch(/lost/);
    expect(accepted).toBe(acceptedBefore + 1); // the black-holed connection never reached the upstream
    expect([old.destroyed, during.destroyed]).toEqual([false, false]);
    for (const socket of [old, during, after]) socket.destroy();
  });

  it('cuts when a client sends what it is told to watch for, before forwarding it', async () => {
    const socket = await dial();
    const cut = proxy.cutWhen((sent) => sent.includes('COMMIT'));
    expect(await roundTrip(socket, 'INSERT')).toBe('INSERT');
    socket.write('COMMIT');
    await cut;
    await closed(socket);
    expect(received).not.toMatch(/COMMIT/);
  });
});

describe.each(DATABASE_KINDS)('the database failing [%s]', (kind) => {
  // A network fault needs a network: only MySQL/MariaDB is reached through one.
  if (kind !== 'mysql') return;

  let proxy: TcpProxy;
  let smtp: SmtpSink;
  let t: TestApp;
  let alice: string;
  const client = clientOf(
    () => t,
    () => smtp,
    () => undefined as never,
  );
  /** Requests touching the database, each of which must answer 503 while it is unreachable. */
  const requests = () => [
    t.http().get(THREEPIDS).auth(alice, { type: 'bearer' }),
    t.http().post(EMAIL_REQUEST).send({ client_secret: 'fault', email: 'fault@example.org', send_attempt: 1 }),
    t.http().post(LOGIN).send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: TEST_PASSWORD }),
  ];
  const addresses = async () => (await client.list(alice)).map((threePid: { address: string }) => threePid.address);

  beforeAll(async () => {
    proxy = await TcpProxy.forUrl(process.env.TEST_MYSQL_URL!, 3306);
    smtp = await SmtpSink.start();
    // Short enough to wait out, long enough that no answered query meets it on a loaded machine.
    t = await startTestApp(kind, { SMTP_URL: smtp.url, DATABASE_TIMEOUT: '2s' }, { reachDatabase: (url) => proxy.url(url) });
    alice = await t.login('alice');
    const added = await client.addWithUia(alice, 'alice', await client.validateEmail('alice@example.org'));
    expect(added.status).toBe(200);
  }, 30_000);
  afterEach(() => proxy.restore());
  afterAll(async () => {
    // The proxy first: whatever it still holds open, the server then rolls back and forgets.
    await proxy.close();
    await t.close();
    await smtp.stop();
  });

  it('answers 503 M_UNKNOWN while the database refuses connections, and serves again once it is back, losing nothing', async () => {
    proxy.cut();
    const logged = t.logs.length;
    for (const response of await Promise.all(requests())) {
      expect({ status: response.status, body: response.body }).toEqual({ status: 503, body: UNAVAILABLE });
    }
    // One warning per request, saying why, with no stack trace.
    const warnings = t.logs.slice(logged).map((line) => JSON.parse(line)).filter((line) => line.level >= 40);
    expect(warnings).toHaveLength(3);
    for (const warning of warnings) {
      expect(warning).toMatchObject({ level: 40, msg: 'Database unavailable while serving a request', cause: expect.stringMatching(/^[A-Z_]+: /) });
      expect(warning).not.toHaveProperty('err');
    }
    const health = await t.http().get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });

    proxy.restore();
    expect(await addresses()).toEqual(['alice@example.org']);
    const [, requested, login] = await Promise.all(requests());
    expect([requested.status, login.status]).toEqual([200, 200]);
    await t.http().get('/health').expect(200);
  }, 30_000);

  it('answers 503 M_UNKNOWN when the database stops answering, discards the stuck connections, and serves again by itself', async () => {
    proxy.blackHole();
    // More requests than the pool has connections: some wait for one, the others for an answer.
    const [health, ...answers] = await Promise.all([t.http().get('/health'), ...Array.from({ length: 4 }, requests).flat()]);
    expect(health.status).toBe(503);
    for (const response of answers) {
      expect({ status: response.status, body: response.body }).toEqual({ status: 503, body: UNAVAILABLE });
    }

    proxy.restore();
    // Every connection of the pool is used again (12 at once, more than it holds): none of them is a stuck one.
    for (let round = 0; round < 3; round++) {
      const lists = await Promise.all(Array.from({ length: 12 }, () => t.http().get(THREEPIDS).auth(alice, { type: 'bearer' })));
      expect(lists.map((response) => response.status)).toEqual(Array(12).fill(200));
    }
    expect(await addresses()).toEqual(['alice@example.org']);
    await t.http().get('/health').expect(200);
  }, 30_000);

  it('writes nothing of an add whose connection is cut before it commits; the same add then succeeds', async () => {
    const session = await client.validateEmail('alice.second@example.org', 'cut-secret');
    let inserted = false;
    const cut = proxy.cutWhen((sent) => {
      inserted ||= sent.includes('INSERT INTO user_threepids');
      return inserted && sent.includes('COMMIT');
    });
    const failed = await client.addWithUia(alice, 'alice', session);
    await cut;
    expect({ status: failed.status, body: failed.body }).toEqual({ status: 503, body: UNAVAILABLE });

    proxy.restore();
    expect(await addresses()).toEqual(['alice@example.org']);
    // The session was not used up either: the update that consumed it was rolled back with the insert.
    const retried = await client.addWithUia(alice, 'alice', session);
    expect(retried.status).toBe(200);
    expect(await addresses()).toEqual(['alice@example.org', 'alice.second@example.org']);
  }, 30_000);
});

describe.each(DATABASE_KINDS)('a locked database [%s]', (kind) => {
  // SQLite's own case: another process (the CLI, say) holding the write lock.
  if (kind !== 'sqlite') return;

  it('answers a write 503 M_UNKNOWN after DATABASE_TIMEOUT, serves reads meanwhile, and writes again once the lock is gone', async () => {
    const t = await startTestApp(kind, { DATABASE_TIMEOUT: '1s' });
    const locker = await new DataSource({ type: 'better-sqlite3', database: (t.config.database as { path: string }).path }).initialize();
    try {
      const token = await t.login('alice');
      await locker.query('BEGIN IMMEDIATE');
      const login = await t.http().post(LOGIN).send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: TEST_PASSWORD });
      expect({ status: login.status, body: login.body }).toEqual({ status: 503, body: UNAVAILABLE });
      await t.http().get(THREEPIDS).auth(token, { type: 'bearer' }).expect(200);

      await locker.query('ROLLBACK');
      await t.http().post(LOGIN).send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: TEST_PASSWORD }).expect(200);
    } finally {
      await locker.destroy();
      await t.close();
    }
  }, 15_000);
});

describe.each(DATABASE_KINDS)('the mail server failing [%s]', (kind) => {
  const NOT_SENT = { errcode: 'M_UNKNOWN', error: 'The validation email could not be sent. Please try again later' };
  let smtp: SmtpSink;
  let proxy: TcpProxy;
  let t: TestApp;
  let addressCount = 0;
  const requestEmail = (email: string) => t.http().post(EMAIL_REQUEST).send({ client_secret: 'mail-fault', email, send_attempt: 1 });

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    proxy = await TcpProxy.forUrl(smtp.url, 25);
    // Short enough to wait out, long enough that the working server never meets it on a loaded machine.
    t = await startTestApp(kind, { SMTP_URL: proxy.url(smtp.url), SMTP_TIMEOUT: '2s' });
  });
  afterEach(() => proxy.restore());
  afterAll(async () => {
    await proxy.close();
    await t.close();
    await smtp.stop();
  });

  /** The failed request claimed nothing: the same send_attempt, once the server is back, really sends. */
  const expectRetrySends = async (email: string) => {
    proxy.restore();
    const sent = smtp.messages.length;
    await requestEmail(email).expect(200);
    expect(smtp.messages.length).toBe(sent + 1);
    expect(smtp.messages.at(-1)!.to).toEqual([email]);
  };

  it('answers 500 saying the e-mail could not be sent when the mail server is down', async () => {
    const email = `down${++addressCount}@example.org`;
    proxy.cut();
    const failed = await requestEmail(email);
    expect({ status: failed.status, body: failed.body }).toEqual({ status: 500, body: NOT_SENT });
    await expectRetrySends(email);
  });

  it('answers 500 after SMTP_TIMEOUT when the mail server accepts the connection and never says a word', async () => {
    const email = `silent${++addressCount}@example.org`;
    proxy.blackHole();
    const failed = await requestEmail(email);
    expect({ status: failed.status, body: failed.body }).toEqual({ status: 500, body: NOT_SENT });
    await expectRetrySends(email);
  }, 15_000);

  it('answers 500 after SMTP_TIMEOUT when the mail server never answers the message itself', async () => {
    const email = `held${++addressCount}@example.org`;
    const held = smtp.holdNextMessage();
    const failed = await requestEmail(email);
    expect({ status: failed.status, body: failed.body }).toEqual({ status: 500, body: NOT_SENT });
    await held.arrived;
    held.release(false);
    await expectRetrySends(email);
  }, 15_000);
});
