import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBaseLogger } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { PinoAuditSink } from './audit/infrastructure/pino-audit.sink';
import { answerMalformedRequest, answerUnroutableRequest, installMatrixHttpConventions } from './common/http/fastify-setup';
import { MatrixExceptionFilter } from './common/http/matrix-exception.filter';
import { MatrixValidationPipe } from './common/http/matrix-validation.pipe';
import { RouteTable } from './common/http/route-table';
import { asyncStandardOutput, createAccessLogger, createLogger, PinoNestLogger } from './common/logging/logger';
import { RequestLogController } from './common/logging/request-log.controller';
import { AppConfig } from './config/app-config';
import { setupOpenApi } from './openapi';

export interface CreateAppOptions {
  /** Where JSON log lines go; standard output when absent. */
  logDestination?: DestinationStream;
}

/**
 * The whole HTTP application, initialised and ready to listen: the server (main.ts) and the e2e
 * tests build it the same way.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logDestination = options.logDestination ?? asyncStandardOutput();
  const logger = createLogger(config.log.level, logDestination);
  const routes = new RouteTable();
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One logger for every request rather than a child per request (pino's child() is work on the
    // hot path); the access line names the request's id itself.
    childLoggerFactory: (parent: FastifyBaseLogger) => parent,
    // X-Forwarded-For is believed only from these; request.ip is then the first address they did not add.
    trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
    logController: new RequestLogController(createAccessLogger(config.log.level, logDestination)),
    bodyLimit: config.http.maxRequestBodyBytes,
    frameworkErrors: answerUnroutableRequest,
    clientErrorHandler: answerMalformedRequest,
  });
  installMatrixHttpConventions(adapter.getInstance(), routes);

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, { auditSink: new PinoAuditSink(logger) }), adapter, {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  app.useGlobalPipes(new MatrixValidationPipe());
  app.useGlobalFilters(new MatrixExceptionFilter(routes, logger));
  setupOpenApi(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
