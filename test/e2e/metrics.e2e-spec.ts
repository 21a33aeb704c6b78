import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { AuthMetrics, NO_AUTH_METRICS } from '../../src/auth/application/ports/auth-metrics';
import { MetricsServer } from '../../src/metrics/infrastructure/metrics.server';
import { RateLimitMetrics } from '../../src/rate-limit/rate-limit.metrics';
import { NO_THREE_PID_METRICS, ThreePidMetrics } from '../../src/threepid/application/ports/three-pid-metrics';
import { DATABASE_KINDS } from '../support/databases';
import { FakeIdentityServer } from '../support/fake-identity-server';
import { compiled, finished, run, start, waitForLine } from '../support/process';
import { keyOf, Scrape } from '../support/prometheus-text';
import { SmtpSink } from '../support/smtp-sink';
import { startAnotherInstance, startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const LOGIN = '/_matrix/client/v3/login';
const VERSIONS = '/_matrix/client/versions';
const THREEPIDS = '/_matrix/client/v3/account/3pid';
const EMAIL_REQUEST = '/_matrix/client/v3/account/3pid/email/requestToken';
const SUBMIT_TOKEN = '/_matrix/client/unstable/add_threepid/email/submit_token';
const ADD = '/_matrix/client/v3/account/3pid/add';
const BIND = '/_matrix/client/v3/account/3pid/bind';
const UNBIND = '/_matrix/client/v3/account/3pid/unbind';
const DELETE = '/_matrix/client/v3/account/3pid/delete';
const SERVER_KEY = '/_matrix/key/v2/server';

const PREFIX = 'matrix_3pid_';
const REQUESTS = `${PREFIX}http_requests_total`;
const DURATION = `${PREFIX}http_request_duration_seconds`;
const IS_DURATION = `${PREFIX}identity_server_request_duration_seconds`;

/**
 * Listening TCP servers in this process (node:http's included). A closed server's handle goes a
 * turn or two of the event loop after its close callback, so the count is read until it holds still.
 */
async function listeningServers(): Promise<number> {
  const count = () => process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
  let [last, steady] = [count(), 0];
  while (steady < 3) {
    await new Promise((resolve) => setImmediate(resolve));
    const now = count();
    [last, steady] = [now, now === last ? steady + 1 : 0];
  }
  return last;
}

let clientCount = 0;
/** A client IP of its own for each scenario, believed because 127.0.0.1 is a trusted proxy. */
const newClient = () => `203.0.113.${++clientCount}`;

/** The HTTP counter and the histogram's count of each kind of request: `[method, route, status, times]`. */
function requestChanges(requests: [string, string, number, number][]): Record<string, number> {
  const changes: Record<string, number> = {};
  for (const [method, route, status, times] of requests) {
    const labels = { method, route, status: String(status) };
    changes[keyOf({ name: REQUESTS, labels })] = times;
    changes[keyOf({ name: `${DURATION}_count`, labels })] = times;
  }
  return changes;
}

/**
 * The changes of a scrape that do not depend on timing: every counter, and each histogram's
 * `_count`. Its `_sum` and finite buckets do (a request takes what it takes); they must belong to a
 * series whose count moved, and its `+Inf` bucket must have moved as much as its count.
 */
function countedChanges(after: Scrape, before: Scrape): Record<string, number> {
  const changes = after.changesSince(before, PREFIX);
  const counted: Record<string, number> = {};
  for (const [key, change] of changes) {
    const histogram = /^(.*)_(bucket|sum)\{(.*)\}$/.exec(key);
    if (!histogram) {
      counted[key] = change;
      continue;
    }
    const [, name, part, labels] = histogram;
    const countKey = `${name}_count{${labels.replace(/(^|,)le="[^"]*"(,|$)/, (_match, start: string, end: string) => (start && end ? ',' : ''))}}`;
    expect({ key, countMoved: changes.has(countKey) }).toEqual({ key, countMoved: true });
    if (part === 'bucket' && labels.includes('le="+Inf"')) expect({ key, change }).toEqual({ key, change: changes.get(countKey) });
  }
  return counted;
}

describe.each(DATABASE_KINDS)('metrics [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let idServer: FakeIdentityServer;
  const scrapeOf = async (app: TestApp) => Scrape.parse(await (await fetch(app.app.get(MetricsServer).url!)).text());
  const scrape = () => scrapeOf(t);
  const from = (client: string) => ({
    get: (path: string, token?: string) => {
      const request = t.http().get(path).set('X-Forwarded-For', client);
      return token ? request.auth(token, { type: 'bearer' }) : request;
    },
    post: (path: string, body: object, token?: string) => {
      const request = t.http().post(path).set('X-Forwarded-For', client).send(body);
      return token ? request.auth(token, { type: 'bearer' }) : request;
    },
  });

  beforeAll(async () => {
    idServer = await FakeIdentityServer.start();
    smtp = await SmtpSink.start();
    t = await startTestApp(kind, {
      METRICS_PORT: '0',
      SMTP_URL: smtp.url,
      ID_SERVER_SCHEME: 'http',
      ID_SERVER_ALLOWLIST: idServer.address,
      TRUSTED_PROXIES: '127.0.0.1',
      // One requestToken per client and per address, so that a flow's second is refused.
      RATE_LIMIT_REQUEST_TOKEN: '1/600s',
    });
    // The identity server fetches our key over real HTTP to check unbinds, as Sydent does.
    await t.app.listen(0, '127.0.0.1');
    idServer.homeserverBaseUrl = await t.app.getUrl();
    await t.createUser('alice', TEST_PASSWORD);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await idServer.stop();
  });

  it('shows, after a whole flow, every counter moved by exactly that flow, and nobody in any label', async () => {
    const client = newClient();
    const clientSecret = 'metrics_flow_secret';
    const before = await scrape();

    const login = await from(client).post(LOGIN, { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: TEST_PASSWORD }).expect(200);
    const token = login.body.access_token as string;
    const request = { client_secret: clientSecret, email: 'Alice.Metrics@Example.org', send_attempt: 1 };
    const { sid } = (await from(client).post(EMAIL_REQUEST, request).expect(200)).body;
    const link = smtp.lastLink();
    await from(client).get(link.pathname + link.search).expect(200);
    await t.http().post(link.pathname + link.search).set('X-Forwarded-For', client).type('form').send('').expect(200);

    const add = { client_secret: clientSecret, sid };
    const challenge = await from(client).post(ADD, add, token).expect(401);
    const auth = { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, session: challenge.body.session };
    expect((await from(client).post(ADD, { ...add, auth: { ...auth, password: 'not the password' } }, token).expect(401)).body.errcode).toBe('M_FORBIDDEN');
    await from(client).post(ADD, { ...add, auth: { ...auth, password: TEST_PASSWORD } }, token).expect(200);
    expect((await from(client).get(THREEPIDS, token).expect(200)).body.threepids).toEqual([expect.objectContaining({ address: 'alice.metrics@example.org' })]);

    idServer.addSession({ sid: 'is-metrics-session', clientSecret: 'is_secret', medium: 'email', address: 'alice.metrics@example.org' });
    const bind = { sid: 'is-metrics-session', client_secret: 'is_secret', id_server: idServer.address, id_access_token: idServer.accessToken };
    await from(client).post(BIND, bind, token).expect(200);
    const unbound = await from(client).post(UNBIND, { medium: 'email', address: 'alice.metrics@example.org', id_server: idServer.address }, token).expect(200);
    expect(unbound.body).toEqual({ id_server_unbind_result: 'success' });
    await from(client).post(DELETE, { medium: 'email', address: 'alice.metrics@example.org' }, token).expect(200);
    // The same client asks again, for the same address: over both requestToken limits.
    expect((await from(client).post(EMAIL_REQUEST, { ...request, send_attempt: 2 }).expect(429)).body.errcode).toBe('M_LIMIT_EXCEEDED');

    const after = await scrape();
    expect(countedChanges(after, before)).toEqual({
      ...requestChanges([
        ['POST', LOGIN, 200, 1],
        ['POST', EMAIL_REQUEST, 200, 1],
        ['POST', EMAIL_REQUEST, 429, 1],
        ['GET', SUBMIT_TOKEN, 200, 1],
        ['POST', SUBMIT_TOKEN, 200, 1],
        ['POST', ADD, 401, 2],
        ['POST', ADD, 200, 1],
        ['GET', THREEPIDS, 200, 1],
        ['POST', BIND, 200, 1],
        ['POST', UNBIND, 200, 1],
        ['POST', DELETE, 200, 1],
        // The identity server checking the unbind's signature against our key.
        ['GET', SERVER_KEY, 200, 1],
      ]),
      [`${PREFIX}validation_messages_sent_total{medium="email"}`]: 1,
      [`${PREFIX}validation_sessions_started_total{medium="email"}`]: 1,
      [`${PREFIX}validation_sessions_validated_total{medium="email"}`]: 1,
      [`${PREFIX}threepids_added_total{medium="email"}`]: 1,
      [`${PREFIX}threepids_removed_total{medium="email"}`]: 1,
      [`${PREFIX}identity_server_requests_total{operation="bind",outcome="success"}`]: 1,
      [`${PREFIX}identity_server_requests_total{operation="unbind",outcome="success"}`]: 1,
      [`${IS_DURATION}_count{operation="bind"}`]: 1,
      [`${IS_DURATION}_count{operation="unbind"}`]: 1,
      [`${PREFIX}uia_challenges_total`]: 1,
      [`${PREFIX}uia_failures_total{reason="wrong_password"}`]: 1,
      [`${PREFIX}uia_successes_total`]: 1,
      [`${PREFIX}rate_limited_requests_total{limit="request_token_client"}`]: 1,
      [`${PREFIX}rate_limited_requests_total{limit="request_token_address"}`]: 1,
    });

    // Nothing of the flow's is in the scrape: no user, address, token, secret, session, server or IP.
    const token_ = smtp.messages.at(-1)!.text.match(/token=([^&\s]+)/)![1];
    for (const secret of [
      'alice',
      'example.org',
      token,
      clientSecret,
      sid,
      token_,
      challenge.body.session,
      'is-metrics-session',
      idServer.accessToken,
      idServer.address,
      client,
      login.body.device_id,
    ]) {
      expect({ secret, found: after.text.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  it('counts a validation message that could not be sent as failed, and starts no session', async () => {
    const before = await scrape();
    smtp.rejectRecipients = true;
    try {
      await from(newClient()).post(EMAIL_REQUEST, { client_secret: 'failing_secret', email: 'nobody.home@example.org', send_attempt: 1 }).expect(500);
    } finally {
      smtp.rejectRecipients = false;
    }
    expect(countedChanges(await scrape(), before)).toEqual({
      ...requestChanges([['POST', EMAIL_REQUEST, 500, 1]]),
      [`${PREFIX}validation_messages_failed_total{medium="email"}`]: 1,
    });
  });

  it('counts the process and its event loop, under the names Node.js dashboards know', async () => {
    const scraped = await scrape();
    for (const [name, type] of [
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['process_start_time_seconds', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
      ['nodejs_gc_duration_seconds', 'histogram'],
    ]) {
      expect({ name, type: scraped.types.get(name) }).toEqual({ name, type });
    }
    expect(scraped.value('process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('is not served on the client port: /metrics there is an unknown path, 404 M_UNRECOGNIZED, counted under one fixed route', async () => {
    const metricsUrl = new URL(t.app.get(MetricsServer).url!);
    expect(metricsUrl.port).not.toBe(new URL(await t.app.getUrl()).port);
    const before = await scrape();
    const answer = await t.http().get('/metrics').expect(404);
    expect(answer.body).toEqual({ errcode: 'M_UNRECOGNIZED', error: expect.any(String) });
    await t.http().get('/wp-login.php?user=admin').expect(404);
    const after = await scrape();
    expect(countedChanges(after, before)).toEqual(requestChanges([['GET', 'unmatched', 404, 2]]));
    expect(after.text).not.toMatch(/wp-login|admin/);
  });

  it('answers GET and HEAD of /metrics only, in the text format, on BIND_ADDRESS', async () => {
    const url = new URL(t.app.get(MetricsServer).url!);
    expect(url.hostname).toBe(t.config.http.bindAddress);
    const got = await fetch(url);
    expect({ status: got.status, type: got.headers.get('content-type') }).toEqual({ status: 200, type: Registry.PROMETHEUS_CONTENT_TYPE });
    expect(await got.text()).toMatch(/^# HELP /);
    const head = await fetch(url, { method: 'HEAD' });
    expect({ status: head.status, body: await head.text() }).toEqual({ status: 200, body: '' });
    const posted = await fetch(url, { method: 'POST' });
    expect({ status: posted.status, allow: posted.headers.get('allow') }).toEqual({ status: 405, allow: 'GET, HEAD' });
    expect((await fetch(new URL('/', url))).status).toBe(404);
    expect((await fetch(new URL('/metrics/more', url))).status).toBe(404);
  });

  it('counts what RATE_LIMIT_DEFAULT and RATE_LIMIT_FAILED_PASSWORDS refuse, each under its name', async () => {
    const limited = await startAnotherInstance(t, {
      METRICS_PORT: '0',
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_DEFAULT: '2/60s',
      RATE_LIMIT_FAILED_PASSWORDS: '1/600s',
    });
    // Listening, so that supertest opens no server of its own per request (see the next test's count).
    await limited.app.listen(0, '127.0.0.1');
    try {
      const before = await scrapeOf(limited);
      const client = newClient();
      for (const status of [200, 200, 429]) await limited.http().get(VERSIONS).set('X-Forwarded-For', client).expect(status);
      const wrong = { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'mallory' }, password: 'guess' };
      for (const status of [403, 429]) await limited.http().post(LOGIN).set('X-Forwarded-For', newClient()).send(wrong).expect(status);
      expect(countedChanges(await scrapeOf(limited), before)).toEqual({
        ...requestChanges([
          ['GET', VERSIONS, 200, 2],
          ['GET', VERSIONS, 429, 1],
          ['POST', LOGIN, 403, 1],
          ['POST', LOGIN, 429, 1],
        ]),
        [`${PREFIX}rate_limited_requests_total{limit="default"}`]: 1,
        [`${PREFIX}rate_limited_requests_total{limit="failed_passwords"}`]: 1,
      });
    } finally {
      await limited.close();
    }
  });

  it('opens no listener and counts nothing without METRICS_PORT, and closes its listener with the app', async () => {
    const listening = await listeningServers();
    const without = await startAnotherInstance(t);
    try {
      expect(await listeningServers()).toBe(listening);
      expect(() => without.app.get(MetricsServer)).toThrow();
      expect(() => without.app.get(Registry)).toThrow();
      // The features count into the no-op defaults: no work on any request.
      expect(without.app.get(ThreePidMetrics)).toBe(NO_THREE_PID_METRICS);
      expect(without.app.get(AuthMetrics)).toBe(NO_AUTH_METRICS);
      expect(() => without.app.get(RateLimitMetrics)).toThrow();
    } finally {
      await without.close();
    }

    const withMetrics = await startAnotherInstance(t, { METRICS_PORT: '0' });
    const url = withMetrics.app.get(MetricsServer).url!;
    expect(await listeningServers()).toBe(listening + 1);
    expect((await fetch(url)).status).toBe(200);
    await withMetrics.close();
    expect(await listeningServers()).toBe(listening);
    await expect(fetch(url)).rejects.toThrow();
  });

});

/** The compiled server and CLI with METRICS_PORT, as an operator runs them. */
describe('metrics of the server process', () => {
  // A safety net for hung processes, not an assertion.
  jest.setTimeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'm3pid-metrics-'));
    env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, SIGNING_KEY_PATH: join(dir, 'signing.key'), PORT: '0', LOG_LEVEL: 'info' };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves metrics where it says, lets the CLI run beside it with the same settings, and shuts both listeners on SIGTERM', async () => {
    const server = start(process.execPath, [compiled('main.js')], { ...env, METRICS_PORT: '0' });
    const exit = finished(server);
    try {
      let output = '';
      server.stdout!.on('data', (chunk: Buffer) => (output += chunk));
      const [, clientUrl] = await waitForLine(server, /"msg":"Listening on (http:\/\/[^;]+);/);
      // Logged before: the metrics listener opens as the application starts, before the client port.
      const metricsUrl = /"msg":"Serving metrics at (http:\/\/[^"]+)"/.exec(output)![1];
      await fetch(`${clientUrl}/_matrix/client/versions`);
      const scraped = Scrape.parse(await (await fetch(metricsUrl)).text());
      expect(scraped.value(REQUESTS, { method: 'GET', route: VERSIONS, status: '200' })).toBe(1);

      // The CLI reads the same settings, METRICS_PORT included, and opens no listener of its own.
      const created = await run(process.execPath, [compiled('cli.js'), 'user:create', 'dave', '--password', 'dave password'], {
        ...env,
        METRICS_PORT: new URL(metricsUrl).port,
      });
      expect({ code: created.code, lastLine: created.stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, lastLine: '@dave:localhost' });

      server.kill('SIGTERM');
      // The process ends by itself once both listeners are closed.
      expect(await exit).toMatchObject({ code: 0, signal: null });
      await expect(fetch(metricsUrl)).rejects.toThrow();
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });

  it('names BIND_ADDRESS and METRICS_PORT when it cannot listen for metrics', async () => {
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((occupant.address() as AddressInfo).port);
      const result = await run(process.execPath, [compiled('main.js')], { ...env, METRICS_PORT: port });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Cannot listen for metrics on BIND_ADDRESS 127.0.0.1, METRICS_PORT ${port}: listen EADDRINUSE`);
    } finally {
      occupant.close();
    }
  });
});
