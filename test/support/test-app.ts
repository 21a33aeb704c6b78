import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app';
import { AccountService } from '../../src/auth/application/account.service';
import { AppConfig } from '../../src/config/app-config';
import { Environment, loadConfig } from '../../src/config/load-config';
import { createTestDatabase, DatabaseKind, TestDatabase } from './databases';

/** The whole application on a fresh database, reached over HTTP, with its log lines captured. */
export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  database: TestDatabase;
  http: () => TestAgent;
  /** Every JSON log line the app wrote so far. */
  logs: string[];
  createUser(localpart: string, password: string): Promise<string>;
  /** Creates the user if needed and logs in; returns the access token. */
  login(localpart: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery staple';

export interface LaunchOptions {
  /** The DATABASE_URL the app gets for its test database: through a TcpProxy, say. */
  reachDatabase?: (url: string) => string;
}

/**
 * A temporary directory per test database for the default SIGNING_KEY_PATH, so that no test writes
 * the repository's data/signing.key, and instances of one database share a key as deployments do.
 */
const signingKeyDirs = new WeakMap<TestDatabase, string>();

export async function startTestApp(kind: DatabaseKind, env: Environment = {}, options: LaunchOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  signingKeyDirs.set(database, mkdtempSync(join(tmpdir(), 'm3pid-signing-')));
  return launch(database, env, true, options);
}

/**
 * Another instance of the service on the same database, as behind a load balancer: it shares
 * nothing with the first but the database and (unless `env` names another) the signing key file.
 * Closing it leaves both to the first.
 */
export async function startAnotherInstance(first: TestApp, env: Environment = {}): Promise<TestApp> {
  return launch(first.database, env, false);
}

/** Limits no test reaches unless it means to. */
export const UNLIMITED = '1000000/1s';

async function launch(database: TestDatabase, env: Environment, ownsDatabase: boolean, options: LaunchOptions = {}): Promise<TestApp> {
  const config = loadConfig({
    SERVER_NAME: 'test.local',
    LOG_LEVEL: 'info',
    SIGNING_KEY_PATH: join(signingKeyDirs.get(database)!, 'signing.key'),
    // Tests drive far more requests than a client would; the rate-limit tests set their own limits.
    RATE_LIMIT_DEFAULT: UNLIMITED,
    RATE_LIMIT_REQUEST_TOKEN: UNLIMITED,
    ...env,
    DATABASE_URL: options.reachDatabase?.(database.url) ?? database.url,
  });
  const logs: string[] = [];
  const cleanUp = async () => {
    await database.drop();
    rmSync(signingKeyDirs.get(database)!, { recursive: true, force: true });
  };
  const app = await createApp(config, { logDestination: { write: (line: string) => void logs.push(line) } }).catch(async (error: unknown) => {
    // A test of a failing start-up leaves nothing behind either.
    if (ownsDatabase) await cleanUp();
    throw error;
  });
  const http = () => request(app.getHttpServer());
  const created = new Set<string>();

  const createUser = async (localpart: string, password: string) => {
    const userId = await app.get(AccountService).createUser(localpart, password);
    created.add(localpart);
    return userId.toString();
  };

  return {
    app,
    config,
    database,
    http,
    logs,
    createUser,
    async login(localpart, password = TEST_PASSWORD) {
      if (!created.has(localpart)) await createUser(localpart, password);
      const response = await http()
        .post('/_matrix/client/v3/login')
        .send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: localpart }, password })
        .expect(200);
      return response.body.access_token as string;
    },
    async close() {
      await app.close();
      if (ownsDatabase) await cleanUp();
    },
  };
}
