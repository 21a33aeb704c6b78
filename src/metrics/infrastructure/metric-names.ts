/** Every metric of ours starts with this, so that they sort together beside process_ and nodejs_. */
export const PREFIX = 'matrix_3pid_';

/** Latencies from a quick database read to an identity server at its timeout (seconds). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
