import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import type { RateLimitMetrics } from '../../rate-limit/rate-limit.metrics';
import { PREFIX } from './metric-names';

/**
 * Every limit this server has, so that each series exists from the start (at 0), as Prometheus
 * advises for known label values: RATE_LIMIT_DEFAULT, RATE_LIMIT_REQUEST_TOKEN per client and per
 * address, RATE_LIMIT_FAILED_PASSWORDS per identifier typed and (4×) per account.
 */
export const RATE_LIMITS = ['default', 'request_token_client', 'request_token_address', 'failed_passwords', 'failed_passwords_account'] as const;

/** `matrix_3pid_rate_limited_requests_total{limit}`. */
@Injectable()
export class PrometheusRateLimitMetrics implements RateLimitMetrics {
  private readonly refusals: Counter<'limit'>;

  constructor(registry: Registry) {
    this.refusals = new Counter({
      name: `${PREFIX}rate_limited_requests_total`,
      help: 'Requests refused by a rate limit (429, or a password not checked past the account limit), by limit; a request over two limits counts under each',
      labelNames: ['limit'],
      registers: [registry],
    });
    for (const limit of RATE_LIMITS) this.refusals.inc({ limit }, 0);
  }

  refused(limit: string): void {
    this.refusals.inc({ limit });
  }
}
