import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module';
import { AccountService } from './auth/application/account.service';
import { MatrixError } from './common/errors/matrix-error';
import { createLogger, PinoNestLogger } from './common/logging/logger';
import { InvalidConfigError, loadConfig } from './config/load-config';

const USAGE = `Usage: npm run cli -- user:create <localpart> --password <password>

Creates a local account and prints its Matrix user ID (@localpart:SERVER_NAME).
Uses the same configuration (DATABASE_URL, SERVER_NAME, ...) as the server.`;

/** Administration commands. Output for people goes to stdout; logs go to stderr. */
async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv);
  const [command, localpart, ...extra] = args?.positionals ?? [];
  const password = args?.values.password;
  if (!args || args.values.help || command !== 'user:create' || !localpart || extra.length > 0 || password === undefined) {
    console.error(USAGE);
    return 2;
  }

  const config = loadConfig(process.env);
  const logger = createLogger(config.log.level === 'info' ? 'warn' : config.log.level, pino.destination(2));
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  try {
    const userId = await app.get(AccountService).createUser(localpart, password);
    console.log(userId.toString());
    return 0;
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    console.error(`Could not create user "${localpart}": ${error.message}`);
    return 1;
  } finally {
    await app.close();
  }
}

/** Undefined for an unknown or malformed option, which then gets the usage text. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: { password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch {
    return undefined;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof InvalidConfigError ? error.message : error);
    process.exitCode = 1;
  },
);
