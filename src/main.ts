import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { InvalidConfigError, loadConfig } from './config/load-config';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  try {
    await app.listen({ port: config.http.port, host: config.http.bindAddress });
  } catch (error) {
    await app.close();
    throw new Error(`Cannot listen on BIND_ADDRESS ${config.http.bindAddress}, PORT ${config.http.port}: ${(error as Error).message}`);
  }
  logger.log(`Listening on ${await app.getUrl()}; Swagger UI at /docs`);

  // Finish in-flight requests, close the database, then let the process end by itself.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received, shutting down`);
      app.close().then(
        () => logger.log('Shut down cleanly'),
        (error: unknown) => {
          logger.error(error);
          process.exitCode = 1;
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  const message = error instanceof InvalidConfigError ? error.message : `Start-up failed: ${(error as Error)?.stack ?? error}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
