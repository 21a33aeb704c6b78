import type { Pool } from 'mysql2';
import type { DataSource } from 'typeorm';

/**
 * A read on the hot path, as a prepared statement. On MySQL/MariaDB, mysql2's `execute`, which the
 * server parses once per connection, where TypeORM's `query` sends text that it parses on every
 * call (the benchmark's database shares the cores with the service, so its parsing is our
 * latency). On SQLite, better-sqlite3's statement, prepared once per connection and kept: TypeORM's
 * `query` keeps one too, but its bookkeeping around it cost about 3 µs of the 75 that GET
 * /account/3pid takes on SQLite. Errors are the driver's own, which databaseUnavailability() reads
 * as it reads TypeORM's. Not for writes inside a transaction: on MySQL it takes any free
 * connection of the pool.
 */
export function preparedQuery<Row>(dataSource: DataSource, sql: string, parameters: unknown[]): Promise<Row[]> {
  const type = dataSource.options.type;
  if (type === 'better-sqlite3') return sqliteQuery(dataSource, sql, parameters);
  if (type !== 'mysql' && type !== 'mariadb') return dataSource.query<Row[]>(sql, parameters);
  const pool = (dataSource.driver as unknown as { pool: Pool }).pool;
  return new Promise((resolve, reject) =>
    pool.execute(sql, parameters as never, (error, rows) => (error ? reject(error) : resolve(rows as Row[]))),
  );
}

/** What we use of better-sqlite3 (which ships no types). */
interface SqliteStatement {
  all(...parameters: unknown[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** Statements by connection: a closed and reopened DataSource prepares its own again. */
const sqliteStatements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

async function sqliteQuery<Row>(dataSource: DataSource, sql: string, parameters: unknown[]): Promise<Row[]> {
  const connection = (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
  let statements = sqliteStatements.get(connection);
  if (!statements) sqliteStatements.set(connection, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = connection.prepare(sql)));
  return statement.all(...parameters) as Row[];
}
