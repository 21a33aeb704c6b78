/** Where the standalone server serves GET /metrics: its own listener, never the client port. */
export interface MetricsModuleOptions {
  /** METRICS_PORT; 0 picks a free one. */
  port: number;
  /** BIND_ADDRESS, as the client listener's. */
  bindAddress: string;
}
export const METRICS_MODULE_OPTIONS = Symbol('METRICS_MODULE_OPTIONS');
