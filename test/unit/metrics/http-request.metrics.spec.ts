import Fastify, { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { HttpRequestMetrics, routeLabel, UNMATCHED_ROUTE } from '../../../src/metrics/infrastructure/http-request.metrics';
import { Scrape } from '../../support/prometheus-text';

const REQUESTS = 'matrix_3pid_http_requests_total';
const DURATION = 'matrix_3pid_http_request_duration_seconds';

describe(HttpRequestMetrics.name, () => {
  let fastify: FastifyInstance;
  let registry: Registry;
  const scrape = async () => Scrape.parse(await registry.metrics());

  beforeEach(async () => {
    registry = new Registry();
    fastify = Fastify();
    fastify.get('/rooms/:roomId/members', async () => ({ members: [] }));
    fastify.post('/rooms/:roomId/leave', async (_request, reply) => reply.code(403).send({ errcode: 'M_FORBIDDEN' }));
    fastify.get('/files/*', async () => 'a file');
    // After the routes, as the application installs it (routes are registered before modules initialise).
    new HttpRequestMetrics(registry).install(fastify);
    await fastify.ready();
  });
  afterEach(() => fastify.close());

  it("labels each request with its route's template, never the path it asked for", async () => {
    for (const path of ['/rooms/!abc:example.org/members', '/rooms/!def:example.org/members?limit=5', '/rooms/%21ghi%3Aexample.org/members']) {
      expect((await fastify.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    }
    await fastify.inject({ method: 'GET', url: '/files/a/b/c.txt' });
    await fastify.inject({ method: 'GET', url: '/files/d.txt' });
    const after = await scrape();
    expect(after.find(REQUESTS)).toEqual([
      { name: REQUESTS, labels: { method: 'GET', route: '/rooms/:roomId/members', status: '200' }, value: 3 },
      { name: REQUESTS, labels: { method: 'GET', route: '/files/*', status: '200' }, value: 2 },
    ]);
    expect(after.text).not.toMatch(/abc|def|ghi|example\.org|limit|c\.txt|d\.txt/);
  });

  it('labels every request no route matched as one fixed route, whatever its path, so that scanners add no series', async () => {
    for (let i = 0; i < 20; i++) await fastify.inject({ method: 'GET', url: `/wp-admin/probe-${i}.php` });
    await fastify.inject({ method: 'POST', url: '/rooms' });
    const after = await scrape();
    expect(after.find(REQUESTS)).toEqual([
      { name: REQUESTS, labels: { method: 'GET', route: UNMATCHED_ROUTE, status: '404' }, value: 20 },
      { name: REQUESTS, labels: { method: 'POST', route: UNMATCHED_ROUTE, status: '404' }, value: 1 },
    ]);
    expect(after.text).not.toMatch(/wp-admin|probe/);
  });

  it('counts by method and status: a HEAD of a GET route, an error the handler answered', async () => {
    await fastify.inject({ method: 'HEAD', url: '/rooms/!abc:example.org/members' });
    await fastify.inject({ method: 'POST', url: '/rooms/!abc:example.org/leave' });
    await fastify.inject({ method: 'POST', url: '/rooms/!abc:example.org/leave' });
    const after = await scrape();
    expect(after.value(REQUESTS, { method: 'HEAD', route: '/rooms/:roomId/members', status: '200' })).toBe(1);
    expect(after.value(REQUESTS, { method: 'POST', route: '/rooms/:roomId/leave', status: '403' })).toBe(2);
  });

  it("observes every request's duration beside its count, under the same labels", async () => {
    for (let i = 0; i < 3; i++) await fastify.inject({ method: 'GET', url: `/rooms/${i}/members` });
    await fastify.inject({ method: 'GET', url: '/nowhere' });
    const after = await scrape();
    expect(after.types.get(DURATION)).toBe('histogram');
    for (const { labels, value } of after.find(REQUESTS)) {
      expect(after.value(`${DURATION}_count`, labels)).toBe(value);
      expect(after.value(`${DURATION}_bucket`, { ...labels, le: '+Inf' })).toBe(value);
      expect(after.value(`${DURATION}_sum`, labels)).toBeGreaterThanOrEqual(0);
    }
    expect(after.find(`${DURATION}_count`).map((sample) => sample.value)).toEqual([3, 1]);
  });

  it('puts each duration in its bucket, cumulatively, as the text format has it; +Inf, sum and count take every one', async () => {
    const metrics = new HttpRequestMetrics((registry = new Registry()));
    for (const elapsedMs of [3, 5, 7, 240, 30_000]) metrics.record('POST', '/_matrix/client/v3/login', 200, elapsedMs);
    const after = await scrape();
    const labels = { method: 'POST', route: '/_matrix/client/v3/login', status: '200' };
    const buckets = Object.fromEntries(after.find(`${DURATION}_bucket`, labels).map((sample) => [sample.labels.le, sample.value]));
    expect(buckets).toEqual({ '0.005': 2, '0.01': 3, '0.025': 3, '0.05': 3, '0.1': 3, '0.25': 4, '0.5': 4, '1': 4, '2.5': 4, '5': 4, '10': 4, '+Inf': 5 });
    expect(after.value(`${DURATION}_sum`, labels)).toBeCloseTo(30.255, 9);
    expect(after.value(`${DURATION}_count`, labels)).toBe(5);
    expect(after.value(REQUESTS, labels)).toBe(5);
  });

  it('starts again from 0 when the registry is reset', async () => {
    await fastify.inject({ method: 'GET', url: '/files/a' });
    registry.resetMetrics();
    await fastify.inject({ method: 'GET', url: '/files/b' });
    const after = await scrape();
    expect(after.value(REQUESTS, { method: 'GET', route: '/files/*', status: '200' })).toBe(1);
    expect(after.value(`${DURATION}_count`, { method: 'GET', route: '/files/*', status: '200' })).toBe(1);
  });

  it('has no series before the first request', async () => {
    expect((await scrape()).find(REQUESTS)).toEqual([]);
  });

  describe(routeLabel.name, () => {
    it.each([
      ['/_matrix/client/v3/account/3pid', '/_matrix/client/v3/account/3pid'],
      ['/docs/*', '/docs/*'],
      ['*', '*'],
      [undefined, UNMATCHED_ROUTE],
      ['', UNMATCHED_ROUTE],
    ])('labels the template %j as %j', (template, label) => {
      expect(routeLabel(template)).toBe(label);
    });
  });
});
