import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export type DatabaseKind = 'sqlite' | 'mysql';

/** SQLite always; MySQL/MariaDB too when TEST_MYSQL_URL points at a server tests may create databases on. */
export const DATABASE_KINDS: DatabaseKind[] = process.env.TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];

export interface TestDatabase {
  kind: DatabaseKind;
  /** A DATABASE_URL for the app. */
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind, used by one test file and dropped afterwards. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'm3pid-test-'));
    return {
      kind,
      url: `sqlite:${join(dir, 'nested', 'test.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = new URL(process.env.TEST_MYSQL_URL!);
  const name = `m3pid_test_${randomBytes(6).toString('hex')}`;
  await withServer(server, (db) => db.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: () => withServer(server, (db) => db.query(`DROP DATABASE IF EXISTS \`${name}\``)),
  };
}

async function withServer(server: URL, work: (db: Awaited<ReturnType<typeof createConnection>>) => Promise<unknown>): Promise<void> {
  const db = await createConnection({
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username),
    password: decodeURIComponent(server.password),
  });
  try {
    await work(db);
  } finally {
    await db.end();
  }
}

/** A Redis tests may write to (under their own key prefix), when TEST_REDIS_URL is set; CI sets it. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
