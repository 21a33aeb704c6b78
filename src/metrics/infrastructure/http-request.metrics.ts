import type { FastifyInstance } from 'fastify';
import { Counter, type Metric, Registry } from 'prom-client';
import { LATENCY_BUCKETS, PREFIX } from './metric-names';

/**
 * The route label of every request that matched no route (404, whatever its path), so that
 * scanners trying paths add no series.
 */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * A request's route label: the template of the route that answered it, as registered
 * (`/_matrix/client/v3/account/3pid`, `/docs/*`, `*` for OPTIONS), never the path asked for.
 */
export function routeLabel(template: string | undefined): string {
  return template || UNMATCHED_ROUTE;
}

type RequestLabels = Readonly<Record<'method' | 'route' | 'status', string>>;

/** What the requests of one kind (method, route, status) add up to, kept in place. */
class RequestTally {
  count = 0;
  sumSeconds = 0;
  /** Requests per bucket, not cumulative: [i] took at most LATENCY_BUCKETS[i], and more than [i - 1]. */
  readonly perBucket: number[] = LATENCY_BUCKETS.map(() => 0);

  constructor(readonly labels: RequestLabels) {}

  add(seconds: number): void {
    this.count += 1;
    this.sumSeconds += seconds;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]) {
        this.perBucket[i] += 1;
        return;
      }
    }
  }

  reset(): void {
    this.count = 0;
    this.sumSeconds = 0;
    this.perBucket.fill(0);
  }
}

/**
 * The tallies' latency histogram, in the shape prom-client's Registry writes out (name, help, type,
 * and the values of get()). prom-client's own Histogram takes one observation at a time, hashing
 * and allocating its label set each time: on the request path, that was about 3 % of a request's
 * CPU under load. The tallies cost a few additions per request, and become samples only when scraped.
 */
class TalliedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly tallies: readonly RequestTally[],
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { metricName: string; labels: Record<string, string | number>; value: number }[] }> {
    const values = [];
    for (const tally of this.tallies) {
      let cumulative = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += tally.perBucket[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { le: LATENCY_BUCKETS[i], ...tally.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...tally.labels }, value: tally.count });
      values.push({ metricName: `${this.name}_sum`, labels: tally.labels, value: tally.sumSeconds });
      values.push({ metricName: `${this.name}_count`, labels: tally.labels, value: tally.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Registry.resetMetrics(). */
  reset(): void {
    for (const tally of this.tallies) tally.reset();
  }
}

/**
 * `matrix_3pid_http_requests_total` and `matrix_3pid_http_request_duration_seconds`, by method,
 * route template and status, from one Fastify onResponse hook. A request finds the tally of its
 * kind through three map lookups (route, method, status) and adds to it: no label set, no
 * allocation. Both metrics are read from the tallies when scraped.
 */
export class HttpRequestMetrics {
  private readonly tallies: RequestTally[] = [];
  private readonly byRoute = new Map<string, Map<string, Map<number, RequestTally>>>();

  constructor(registry: Registry) {
    const tallies = this.tallies;
    new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered on the client port, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      collect(this: Counter<'method' | 'route' | 'status'>) {
        this.reset();
        for (const tally of tallies) this.inc(tally.labels, tally.count);
      },
    });
    const histogram = new TalliedHistogram(
      `${PREFIX}http_request_duration_seconds`,
      'Time from receiving an HTTP request to the end of its response, by method, route template and status',
      tallies,
    );
    // The Registry needs no more of a metric than TalliedHistogram has (see there).
    registry.registerMetric(histogram as unknown as Metric);
  }

  /** Counts every response the Fastify instance sends from now on (its routes' and its 404s). */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      this.record(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime);
      done();
    });
  }

  /** One response: `template` as Fastify matched it (undefined: no route), `elapsedMs` since the request arrived. */
  record(method: string, template: string | undefined, status: number, elapsedMs: number): void {
    this.tallyOf(routeLabel(template), method, status).add(elapsedMs / 1000);
  }

  private tallyOf(route: string, method: string, status: number): RequestTally {
    let byMethod = this.byRoute.get(route);
    if (!byMethod) this.byRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let tally = byStatus.get(status);
    if (!tally) {
      tally = new RequestTally({ method, route, status: String(status) });
      byStatus.set(status, tally);
      this.tallies.push(tally);
    }
    return tally;
  }
}
