import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { AppModule } from './app.module';
import { PinoAuditSink } from './audit/infrastructure/pino-audit.sink';
import { Command, CommandContext, COMMANDS, UsageError } from './cli/commands';
import { MatrixError } from './common/errors/matrix-error';
import { createLogger, PinoNestLogger } from './common/logging/logger';
import { InvalidConfigError, loadConfig } from './config/load-config';

const USAGE = `Usage: npm run cli -- <command> [arguments] [--json]

${Object.values(COMMANDS)
  .map((command) => `  ${command.usage}\n      ${command.summary}`)
  .join('\n')}

<user> is a user ID (@alice:SERVER_NAME) or a localpart; <medium> is email or msisdn (E.164 digits).
Reads the server's settings (DATABASE_URL, SERVER_NAME, AUDIT_ADDRESSES, ...). --json prints JSON,
errors included ({"errcode", "error"}). Exit code: 0 done, 1 refused (in use, not found, an identity
server failed...), 2 arguments wrong (nothing is written). Changes are audited (on standard error).`;

/** Admin commands. Their output goes to stdout; logs, audit lines and errors for people to stderr. */
async function main(argv: string[]): Promise<number> {
  const [name] = argv;
  const command: Command | undefined = Object.hasOwn(COMMANDS, name ?? '') ? COMMANDS[name] : undefined;
  const args = command && parseCommandLine(command, argv.slice(1));
  const json = argv.includes('--json');
  if (!command || !args || args.values.help || args.positionals.length !== command.arity) {
    return usageError(json, command && args && !args.values.help ? `${name} takes ${command.arity} argument(s): ${command.usage}` : undefined);
  }

  const config = loadConfig(process.env);
  // Only errors (a command sends no messages, so the server's warnings about delivery do not
  // apply), unless LOG_LEVEL asks for debugging; the audit trail at info whatever LOG_LEVEL says.
  const logger = createLogger(['debug', 'trace'].includes(config.log.level) ? config.log.level : 'error', pino.destination(2));
  const auditSink = new PinoAuditSink(logger);
  let app: INestApplicationContext | undefined;
  const context: CommandContext = {
    config,
    actor: `cli:${operatorName()}`,
    app: async () =>
      (app ??= await NestFactory.createApplicationContext(AppModule.forRoot(config, { auditSink }), {
        logger: new PinoNestLogger(logger),
        abortOnError: false,
      })),
  };
  try {
    const output = await command.run(context, args.positionals, args.values);
    console.log(json ? JSON.stringify(output.json) : output.text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return usageError(json, error.message);
    if (!(error instanceof MatrixError)) throw error;
    if (json) console.log(JSON.stringify(error.toResponseBody()));
    console.error(`${name}: ${error.message} (${error.errcode})`);
    return 1;
  } finally {
    await app?.close();
    logger.flush();
  }
}

function usageError(json: boolean, problem?: string): number {
  if (json && problem) console.log(JSON.stringify({ errcode: 'M_INVALID_PARAM', error: problem }));
  console.error(problem ? `${problem}\n\n${USAGE}` : USAGE);
  return 2;
}

/** Undefined for an unknown or malformed option, which then gets the usage text. */
function parseCommandLine(command: Command, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch {
    return undefined;
  }
}

/** The person behind sudo, if any: the one who should answer for the change. */
function operatorName(): string {
  try {
    return process.env.SUDO_USER || userInfo().username;
  } catch {
    return 'unknown';
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
