import { NestFastifyApplication } from '@nestjs/platform-fastify';
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

export async function startTestApp(kind: DatabaseKind, env: Environment = {}): Promise<TestApp> {
  return launch(await createTestDatabase(kind), env, true);
}

/**
 * Another instance of the service on the same database, as behind a load balancer: it shares
 * nothing with the first but the database. Closing it leaves the database to the first.
 */
export async function startAnotherInstance(first: TestApp, env: Environment = {}): Promise<TestApp> {
  return launch(first.database, env, false);
}

async function launch(database: TestDatabase, env: Environment, ownsDatabase: boolean): Promise<TestApp> {
  const config = loadConfig({ SERVER_NAME: 'test.local', LOG_LEVEL: 'info', ...env, DATABASE_URL: database.url });
  const logs: string[] = [];
  const app = await createApp(config, { logDestination: { write: (line: string) => void logs.push(line) } });
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
      if (ownsDatabase) await database.drop();
    },
  };
}
