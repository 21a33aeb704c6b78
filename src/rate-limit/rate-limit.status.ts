/** Where this instance's rate-limit counts live right now, for /health. */
export interface RateLimitCounts {
  /** `memory`: no Redis configured; `shared`: in Redis; `degraded`: Redis does not answer, counted per instance. */
  readonly status: 'memory' | 'shared' | 'degraded';
}
export const RateLimitCounts = Symbol('RateLimitCounts');
