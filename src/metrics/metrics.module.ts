import { DynamicModule, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { RateLimitMetrics } from '../rate-limit/rate-limit.metrics';
import { HttpRequestMetrics } from './infrastructure/http-request.metrics';
import { MetricsServer } from './infrastructure/metrics.server';
import { PrometheusAuthMetrics } from './infrastructure/prometheus-auth.metrics';
import { PrometheusRateLimitMetrics } from './infrastructure/prometheus-rate-limit.metrics';
import { PrometheusThreePidMetrics } from './infrastructure/prometheus-three-pid.metrics';
import { METRICS_MODULE_OPTIONS, type MetricsModuleOptions } from './metrics.options';

/** Counts every response of the application's Fastify instance, if it has one (the CLI has none). */
@Injectable()
class HttpRequestCounting implements OnModuleInit {
  constructor(
    @Inject(HttpRequestMetrics) private readonly metrics: HttpRequestMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Before Fastify is ready, which is when it gives every route (and the 404 handler) the hooks added so far. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) this.metrics.install(fastify);
  }
}

/**
 * Prometheus metrics for the standalone server, imported by AppModule only when METRICS_PORT is
 * set: without it there is no listener, no hook and nothing counted. Global, so that AppModule can
 * hand the feature modules their adapters (ThreePidModule's and AuthModule's `metrics` options),
 * and RateLimitModule's guard and limiter find RateLimitMetrics. Each application has a Registry
 * of its own (process and event-loop metrics included), never prom-client's global one, so that
 * two applications in one process count apart.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      providers: [
        { provide: METRICS_MODULE_OPTIONS, useValue: options },
        {
          provide: Registry,
          useFactory: (): Registry => {
            const registry = new Registry();
            collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
        { provide: HttpRequestMetrics, inject: [Registry], useFactory: (registry: Registry) => new HttpRequestMetrics(registry) },
        HttpRequestCounting,
        PrometheusThreePidMetrics,
        PrometheusAuthMetrics,
        PrometheusRateLimitMetrics,
        { provide: RateLimitMetrics, useExisting: PrometheusRateLimitMetrics },
        MetricsServer,
      ],
      exports: [PrometheusThreePidMetrics, PrometheusAuthMetrics, RateLimitMetrics, MetricsServer],
    };
  }
}
