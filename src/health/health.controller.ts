import { Controller, Get, Inject, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../config/app-config';
import { NotRateLimited } from '../rate-limit/api/client-rate-limit.guard';
import { RateLimitCounts } from '../rate-limit/rate-limit.status';

/**
 * For load balancers and orchestrators: 200 while the database answers, 503 when it does not.
 * Redis, when configured, is reported but never fails the check: without it requests are still
 * served (rate limits counted per instance), so taking the instance out would only hurt.
 */
@ApiExcludeController()
@NotRateLimited(true)
@Controller('health')
export class HealthController {
  /** DATABASE_TIMEOUT: a database that answers no request within it is down for this check too. */
  private readonly databaseTimeoutMs: number;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    settings: ConfigService<AppConfig, true>,
    @Optional() @Inject(RateLimitCounts) private readonly counts?: RateLimitCounts,
  ) {
    this.databaseTimeoutMs = settings.get('database', { infer: true }).timeoutMs;
  }

  @Get()
  @HealthCheck()
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return this.withRedis(await this.health.check([() => this.database.pingCheck('database', { timeout: this.databaseTimeoutMs })]));
    } catch (error) {
      // Terminus reports failure as an exception carrying the report; send the report itself.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return this.withRedis(error.getResponse() as HealthCheckResult);
    }
  }

  private withRedis(report: HealthCheckResult): HealthCheckResult {
    if (!this.counts || this.counts.status === 'memory') return report;
    const redis =
      this.counts.status === 'shared'
        ? { status: 'up' as const }
        : { status: 'degraded' as 'up', message: 'Redis does not answer: rate limits are counted by each instance alone' };
    return { ...report, info: { ...report.info, redis }, details: { ...report.details, redis } };
  }
}
