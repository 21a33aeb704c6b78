import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import type { AuditSink } from './audit/domain/ports/audit-sink';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { AppConfig } from './config/app-config';
import { buildDataSourceOptions } from './database/data-source-options';
import { runMigrationsExclusively } from './database/run-migrations';
import { HealthModule } from './health/health.module';
import { PrometheusAuthMetrics } from './metrics/infrastructure/prometheus-auth.metrics';
import { PrometheusThreePidMetrics } from './metrics/infrastructure/prometheus-three-pid.metrics';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ServerInfoController } from './server/server-info.controller';
import { SigningModule } from './signing/signing.module';
import { ThreePidModule } from './threepid/threepid.module';

/**
 * The standalone server: configuration, database, and the feature modules; with METRICS_PORT,
 * Prometheus metrics (MetricsModule), which the feature modules count into.
 */
@Module({})
export class AppModule {
  /** `auditSink`: where the audit trail goes; by default the application's log through Nest's Logger. */
  static forRoot(config: AppConfig, { auditSink }: { auditSink?: AuditSink } = {}): DynamicModule {
    const threePids = ThreePidModule.forRootAsync({
      inject: [ConfigService, { token: PrometheusThreePidMetrics, optional: true }],
      useFactory: (settings: ConfigService<AppConfig, true>, metrics?: PrometheusThreePidMetrics) => {
        const threePid = settings.get('threePid', { infer: true });
        return {
          changesEnabled: threePid.changesEnabled,
          deprecatedAddEnabled: threePid.deprecatedAddEnabled,
          inhibitInUseErrors: threePid.inhibitErrors,
          serverName: settings.get('matrix', { infer: true }).serverName,
          publicBaseUrl: settings.get('http', { infer: true }).publicBaseUrl,
          media: threePid.media,
          allowlist: threePid.allowlist,
          nextLinkHosts: threePid.nextLinkHosts,
          requestTokenLimit: settings.get('rateLimit', { infer: true }).requestToken,
          lifetimes: { tokenMs: threePid.tokenLifetimeMs, sessionMs: threePid.sessionLifetimeMs },
          templates: threePid.templates,
          email: settings.get('email', { infer: true }),
          sms: settings.get('sms', { infer: true }),
          identityServers: settings.get('identityServer', { infer: true }),
          metrics,
        };
      },
    });
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, load: [() => config] }),
        CommonModule,
        ...(config.metrics.port !== undefined ? [MetricsModule.forRoot({ port: config.metrics.port, bindAddress: config.http.bindAddress })] : []),
        RateLimitModule.forRoot({
          perClient: config.rateLimit.default,
          redis: config.redis.url ? { url: config.redis.url, keyPrefix: config.redis.keyPrefix, timeoutMs: config.redis.timeoutMs } : undefined,
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...buildDataSourceOptions(config.database), autoLoadEntities: true }),
          // Migrations run before the server accepts requests; never synchronize.
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrationsExclusively(dataSource);
            return dataSource;
          },
        }),
        AuthModule.forRootAsync({
          inject: [ConfigService, { token: PrometheusAuthMetrics, optional: true }],
          useFactory: (settings: ConfigService<AppConfig, true>, metrics?: PrometheusAuthMetrics) => ({
            serverName: settings.get('matrix', { infer: true }).serverName,
            uiaSessionLifetimeMs: settings.get('uia', { infer: true }).sessionLifetimeMs,
            accessTokenLifetimeMs: settings.get('accessTokens', { infer: true }).lifetimeMs,
            failedPasswordLimit: settings.get('rateLimit', { infer: true }).failedPasswords,
            accessTokenCacheTtlMs: settings.get('accessTokens', { infer: true }).cacheTtlMs,
            metrics,
          }),
        }),
        SigningModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (settings: ConfigService<AppConfig, true>) => ({
            serverName: settings.get('matrix', { infer: true }).serverName,
            keyPath: settings.get('signing', { infer: true }).keyPath,
          }),
        }),
        threePids,
        // Carries the 3PID feature's events to the audit trail (and to a host's listeners).
        EventEmitterModule.forRoot({ wildcard: true }),
        AuditModule.forRoot({ ...config.audit, sink: auditSink }),
        AdminModule.forRoot(threePids),
        HealthModule,
      ],
      controllers: [ServerInfoController],
    };
  }
}
