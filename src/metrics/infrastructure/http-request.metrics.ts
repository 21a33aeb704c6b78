import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';
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

/** The two series one kind of request (method, route, status) counts in. */
interface Series {
  inc(): void;
  observe(seconds: number): void;
}

/**
 * `matrix_3pid_http_requests_total` and `matrix_3pid_http_request_duration_seconds`, by method,
 * route template and status, from one Fastify onResponse hook. Each kind of request finds its
 * series through three map lookups (route, method, status), made once and kept, so that a request
 * costs two increments and no new label sets.
 */
export class HttpRequestMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly series = new Map<string, Map<string, Map<number, Series>>>();

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered on the client port, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time from receiving an HTTP request to the end of its response, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
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
    const series = this.seriesOf(routeLabel(template), method, status);
    series.inc();
    series.observe(elapsedMs / 1000);
  }

  private seriesOf(route: string, method: string, status: number): Series {
    let byMethod = this.series.get(route);
    if (!byMethod) this.series.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) {
      const labels = [method, route, String(status)] as const;
      const { inc } = this.requests.labels(...labels);
      const { observe } = this.duration.labels(...labels);
      series = { inc, observe };
      byStatus.set(status, series);
    }
    return series;
  }
}
