/**
 * Which limit refused a request, for monitoring: `default` (RATE_LIMIT_DEFAULT, per client), and the
 * names services give their counts (`request_token_client`, `request_token_address`). The standalone
 * server's MetricsModule provides it when METRICS_PORT is set; without it nothing is counted.
 */
export interface RateLimitMetrics {
  /** A request was refused (429) because it was over `limit`; called once for each limit it was over. */
  refused(limit: string): void;
}
export const RateLimitMetrics = Symbol('RateLimitMetrics');
