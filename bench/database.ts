import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection, createPool, Pool } from 'mysql2/promise';

export type BenchDatabaseKind = 'mysql' | 'sqlite';

/** A statement runner both databases offer: `?` placeholders, rows back. */
export interface Sql {
  query(sql: string, parameters?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Many rows in one statement (MySQL) or one transaction (SQLite). */
  insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  close(): Promise<void>;
}

export interface BenchDatabase {
  kind: BenchDatabaseKind;
  /** DATABASE_URL for the app. */
  url: string;
  connect(): Promise<Sql>;
  drop(): Promise<void>;
}

/** A fresh database for one run, dropped at the end. */
export async function createBenchDatabase(kind: BenchDatabaseKind, serverUrl: string): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'm3pid-bench-'));
    const path = join(dir, 'bench.sqlite');
    return { kind, url: `sqlite:${path}`, connect: async () => sqlite(path), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const server = new URL(serverUrl);
  const name = `m3pid_bench_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection(connectionOptions(server));
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(server);
  url.protocol = 'mariadb:';
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    connect: async () => mysql(createPool({ ...connectionOptions(server), database: name, connectionLimit: 4 })),
    drop: async () => {
      const connection = await createConnection(connectionOptions(server));
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}

export function connectionOptions(server: URL) {
  return {
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username),
    password: decodeURIComponent(server.password),
  };
}

function sqlite(path: string): Sql {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  return {
    async query(sql, parameters = []) {
      const statement = db.prepare(sql);
      return statement.reader ? (statement.all(...parameters) as Record<string, unknown>[]) : (statement.run(...parameters), []);
    },
    async insertMany(table, columns, rows) {
      const insert = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      db.transaction(() => rows.forEach((row) => insert.run(...row)))();
    },
    async close() {
      db.close();
    },
  };
}

function mysql(pool: Pool): Sql {
  return {
    async query(sql, parameters = []) {
      const [rows] = await pool.query(sql, parameters);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    async insertMany(table, columns, rows) {
      if (rows.length > 0) await pool.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows]);
    },
    async close() {
      await pool.end();
    },
  };
}
